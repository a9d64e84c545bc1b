import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { userManager, type SignInState } from './userManager';

/** /auth/callback: the hosted UI redirects here with ?code=…; exchange it and go back. */
export function CallbackPage() {
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const handled = useRef(false);

  useEffect(() => {
    // StrictMode runs effects twice in development; the code can be used once.
    if (handled.current) return;
    handled.current = true;
    userManager
      .signinRedirectCallback()
      .then((user) => {
        const state = user.state as SignInState | undefined;
        navigate(state?.returnTo ?? '/', { replace: true });
      })
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  }, [navigate]);

  if (error) {
    return (
      <section>
        <h1>Sign-in failed</h1>
        <p role="alert">{error}</p>
        <a href="/">Back to the home page</a>
      </section>
    );
  }
  return <p role="status">Completing sign-in…</p>;
}
