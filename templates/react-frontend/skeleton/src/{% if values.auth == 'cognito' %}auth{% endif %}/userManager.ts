import { UserManager, WebStorageStateStore } from 'oidc-client-ts';
import { config } from '../config';

/**
 * OIDC against the Cognito user pool: authorization code flow with PKCE
 * through the hosted UI. Tokens live in sessionStorage (gone with the tab)
 * and are renewed silently before they expire.
 */
export const userManager = new UserManager({
  authority: config.cognito.authority,
  client_id: config.cognito.clientId,
  redirect_uri: `${window.location.origin}/auth/callback`,
  post_logout_redirect_uri: window.location.origin,
  response_type: 'code',
  scope: 'openid email profile',
  automaticSilentRenew: true,
  userStore: new WebStorageStateStore({ store: window.sessionStorage }),
});

/** Where to go after sign-in, carried through the hosted UI in `state`. */
export interface SignInState {
  returnTo: string;
}

export function signIn(returnTo: string = window.location.pathname + window.location.search): Promise<void> {
  const state: SignInState = { returnTo };
  return userManager.signinRedirect({ state });
}

/**
 * Cognito has no OIDC end_session_endpoint: clear the local session, then
 * send the browser to the hosted UI's /logout, which ends the Cognito
 * session and returns to logout_uri (an allowed sign-out URL of the client).
 */
export async function signOut(): Promise<void> {
  await userManager.removeUser();
  const url = new URL('/logout', config.cognito.domain);
  url.searchParams.set('client_id', config.cognito.clientId);
  url.searchParams.set('logout_uri', window.location.origin);
  window.location.assign(url.toString());
}
