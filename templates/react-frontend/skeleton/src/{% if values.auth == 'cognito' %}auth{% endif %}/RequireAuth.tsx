import { useEffect, type ReactNode } from 'react';
import { useLocation } from 'react-router-dom';
import { useAuth } from './AuthProvider';

/** Route guard: renders its children for a signed-in user, else starts the hosted UI sign-in. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { isAuthenticated, isLoading, signIn } = useAuth();
  const location = useLocation();

  useEffect(() => {
    if (!isLoading && !isAuthenticated) {
      void signIn(location.pathname + location.search);
    }
  }, [isLoading, isAuthenticated, signIn, location.pathname, location.search]);

  if (isLoading || !isAuthenticated) {
    return <p role="status">Signing you in…</p>;
  }
  return <>{children}</>;
}
