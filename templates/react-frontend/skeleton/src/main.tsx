import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { initTracing } from './observability/tracing';
{%- if values.enableSentry %}
import { initSentry } from './observability/sentry';
{%- endif %}
{%- if values.enableAnalytics %}
import { initAnalytics } from './observability/analytics';
{%- endif %}
import { App } from './App';
import './styles.css';

// Observability first, so the first render and the first requests are seen.
initTracing();
{%- if values.enableSentry %}
initSentry();
{%- endif %}
{%- if values.enableAnalytics %}
initAnalytics();
{%- endif %}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
