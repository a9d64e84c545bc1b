// Build-time settings. Vite replaces import.meta.env.VITE_* when bundling;
// the defaults below are what the template was generated with.
const env = import.meta.env;

export const config = {
  appName: '${{ values.name }}',
  serviceNamespace: '${{ values.namespace }}',
  apiBaseUrl: env.VITE_API_BASE_URL || '${{ values.apiBaseUrl }}',
  environment: env.VITE_ENVIRONMENT || env.MODE,
  release: env.VITE_RELEASE || 'dev',
  otelTracesUrl: '/otel/v1/traces',
{%- if values.auth == 'cognito' %}
  cognito: {
    authority: env.VITE_COGNITO_AUTHORITY ?? '',
    clientId: env.VITE_COGNITO_CLIENT_ID ?? '',
    domain: env.VITE_COGNITO_DOMAIN ?? '',
  },
{%- endif %}
{%- if values.enableSentry %}
  sentryDsn: env.VITE_SENTRY_DSN ?? '',
{%- endif %}
{%- if values.enableAnalytics %}
  posthog: {
    key: env.VITE_POSTHOG_KEY ?? '',
    host: env.VITE_POSTHOG_HOST || 'https://eu.i.posthog.com',
  },
{%- endif %}
} as const;
