/// <reference types="vite/client" />

interface ImportMetaEnv {
  readonly VITE_API_BASE_URL?: string;
  readonly VITE_ENVIRONMENT?: string;
  readonly VITE_RELEASE?: string;
{%- if values.auth == 'cognito' %}
  readonly VITE_COGNITO_AUTHORITY?: string;
  readonly VITE_COGNITO_CLIENT_ID?: string;
  readonly VITE_COGNITO_DOMAIN?: string;
{%- endif %}
{%- if values.enableSentry %}
  readonly VITE_SENTRY_DSN?: string;
{%- endif %}
{%- if values.enableAnalytics %}
  readonly VITE_POSTHOG_KEY?: string;
  readonly VITE_POSTHOG_HOST?: string;
{%- endif %}
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
