import { NavLink, Outlet } from 'react-router-dom';
{%- if values.auth == 'cognito' %}
import { useAuth } from '../auth/AuthProvider';
{%- endif %}
{%- if values.enableAnalytics %}
import { PageViewTracker } from '../observability/PageViewTracker';
import { AnalyticsToggle } from './AnalyticsToggle';
{%- endif %}

/** The frame around every page: header with navigation, main content, footer. */
export function Layout() {
{%- if values.auth == 'cognito' %}
  const { user, isAuthenticated, signIn, signOut } = useAuth();
{%- endif %}
  return (
    <div className="layout">
{%- if values.enableAnalytics %}
      <PageViewTracker />
{%- endif %}
      <header className="layout__header">
        <NavLink to="/" className="layout__brand">
          ${{ values.name }}
        </NavLink>
        <nav aria-label="Main">
          <NavLink to="/" end>
            Home
          </NavLink>
          <NavLink to="/items">Items</NavLink>
        </nav>
{%- if values.auth == 'cognito' %}
        <div className="layout__user">
          {isAuthenticated ? (
            <>
              <span>{user?.profile.email ?? user?.profile.sub}</span>
              <button type="button" onClick={() => void signOut()}>
                Sign out
              </button>
            </>
          ) : (
            <button type="button" onClick={() => void signIn()}>
              Sign in
            </button>
          )}
        </div>
{%- endif %}
      </header>
      <main className="layout__main">
        <Outlet />
      </main>
      <footer className="layout__footer">
        <span>Owned by ${{ values.ownerName }}</span>
{%- if values.enableAnalytics %}
        <AnalyticsToggle />
{%- endif %}
      </footer>
    </div>
  );
}
