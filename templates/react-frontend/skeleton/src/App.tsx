import { useState } from 'react';
import { QueryClientProvider } from '@tanstack/react-query';
import { createBrowserRouter, RouterProvider, type RouteObject } from 'react-router-dom';
import { createQueryClient } from './api/queryClient';
{%- if values.auth == 'cognito' %}
import { AuthProvider } from './auth/AuthProvider';
import { CallbackPage } from './auth/CallbackPage';
import { RequireAuth } from './auth/RequireAuth';
{%- endif %}
{%- if values.enableSentry %}
import { Sentry } from './observability/sentry';
{%- endif %}
import { Layout } from './components/Layout';
import { HomePage } from './pages/HomePage';
import { ItemDetailPage } from './pages/ItemDetailPage';
import { ItemsPage } from './pages/ItemsPage';
import { NotFoundPage } from './pages/NotFoundPage';

const routes: RouteObject[] = [
  {
    path: '/',
    element: <Layout />,
    children: [
      { index: true, element: <HomePage /> },
      {
        path: 'items',
{%- if values.auth == 'cognito' %}
        element: (
          <RequireAuth>
            <ItemsPage />
          </RequireAuth>
        ),
{%- else %}
        element: <ItemsPage />,
{%- endif %}
      },
      {
        path: 'items/:itemId',
{%- if values.auth == 'cognito' %}
        element: (
          <RequireAuth>
            <ItemDetailPage />
          </RequireAuth>
        ),
{%- else %}
        element: <ItemDetailPage />,
{%- endif %}
      },
{%- if values.auth == 'cognito' %}
      { path: 'auth/callback', element: <CallbackPage /> },
{%- endif %}
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];

{%- if values.enableSentry %}

// Sentry names navigation transactions after these routes.
const createRouter = Sentry.wrapCreateBrowserRouter(createBrowserRouter);
{%- else %}

const createRouter = createBrowserRouter;
{%- endif %}
const router = createRouter(routes, {
  future: { v7_relativeSplatPath: true },
});

export function App() {
  // One client per app instance (tests create their own).
  const [queryClient] = useState(createQueryClient);
  const content = (
    <QueryClientProvider client={queryClient}>
{%- if values.auth == 'cognito' %}
      <AuthProvider>
        <RouterProvider router={router} future={{ v7_startTransition: true }} />
      </AuthProvider>
{%- else %}
      <RouterProvider router={router} future={{ v7_startTransition: true }} />
{%- endif %}
    </QueryClientProvider>
  );
{%- if values.enableSentry %}
  return (
    <Sentry.ErrorBoundary fallback={<p role="alert">Something went wrong. Reload the page to try again.</p>}>
      {content}
    </Sentry.ErrorBoundary>
  );
{%- else %}
  return content;
{%- endif %}
}
