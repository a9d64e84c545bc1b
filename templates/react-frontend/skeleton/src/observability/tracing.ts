import { ZoneContextManager } from '@opentelemetry/context-zone';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { DocumentLoadInstrumentation } from '@opentelemetry/instrumentation-document-load';
import { FetchInstrumentation } from '@opentelemetry/instrumentation-fetch';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { WebTracerProvider } from '@opentelemetry/sdk-trace-web';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { config } from '../config';

/**
 * Browser traces go to the platform's Alloy collector over OTLP/HTTP. The
 * browser cannot reach alloy.observability.svc.cluster.local, so spans are
 * posted to the same-origin path /otel/v1/traces and this app's nginx
 * proxies /otel/ to http://alloy.observability.svc.cluster.local:4318/.
 * Same origin also means no CORS preflight and no collector exposed to
 * the internet.
 */
export function initTracing(): void {
  if (import.meta.env.MODE === 'test') return;

  const provider = new WebTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: config.appName,
      [ATTR_SERVICE_VERSION]: config.release,
      'service.namespace': config.serviceNamespace,
      'deployment.environment': config.environment,
    }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: config.otelTracesUrl }), {
        scheduledDelayMillis: 5000,
        maxExportBatchSize: 100,
      }),
    ],
  });
  provider.register({
    contextManager: new ZoneContextManager(),
    propagator: new W3CTraceContextPropagator(),
  });

  // Trace context (traceparent) is sent to the API only, never to third parties.
  const apiOrigin = new URL(config.apiBaseUrl, window.location.origin).origin;
  registerInstrumentations({
    instrumentations: [
      new DocumentLoadInstrumentation(),
      new FetchInstrumentation({
        propagateTraceHeaderCorsUrls: [new RegExp(`^${apiOrigin.replace(/[.*+?^$()|[\]\\]/g, '\\$&')}`)],
        // Do not trace the exporter's own requests.
        ignoreUrls: [/\/otel\//],
        clearTimingResources: true,
      }),
    ],
  });
}
