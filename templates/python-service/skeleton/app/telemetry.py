"""OpenTelemetry: traces and metrics over OTLP/gRPC to the platform collector.

The collector (Grafana Alloy) forwards everything to Grafana Cloud (Tempo for
traces, Prometheus/Mimir for metrics). Configured in code rather than with the
`opentelemetry-instrument` wrapper so the same setup serves the API, the
Celery worker and tests (OTEL_SDK_DISABLED=true turns it off).
"""

import logging

from opentelemetry import metrics, trace
from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from app.config import Settings

log = logging.getLogger(__name__)
_configured = False


def _resource(settings: Settings) -> Resource:
    attributes: dict[str, str] = {"service.name": settings.otel_service_name}
    for pair in settings.otel_resource_attributes.split(","):
        key, _, value = pair.partition("=")
        if key.strip() and value.strip():
            attributes[key.strip()] = value.strip()
    return Resource.create(attributes)


def configure_telemetry(settings: Settings) -> bool:
    """Install the tracer and meter providers once per process; False when disabled."""
    global _configured
    if settings.otel_sdk_disabled:
        return False
    if _configured:
        return True
    resource = _resource(settings)
    insecure = settings.otel_exporter_otlp_endpoint.startswith("http://")

    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(
        BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.otel_exporter_otlp_endpoint, insecure=insecure))
    )
    trace.set_tracer_provider(tracer_provider)

    reader = PeriodicExportingMetricReader(
        OTLPMetricExporter(endpoint=settings.otel_exporter_otlp_endpoint, insecure=insecure),
        export_interval_millis=30_000,
    )
    metrics.set_meter_provider(MeterProvider(resource=resource, metric_readers=[reader]))
{%- if values.enableCelery %}

    from opentelemetry.instrumentation.redis import RedisInstrumentor

    RedisInstrumentor().instrument()
{%- endif %}
    _configured = True
    log.info("OpenTelemetry exporting to %s", settings.otel_exporter_otlp_endpoint)
    return True


def instrument_app(app, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    """Instrument the FastAPI app{% if values.useDb %} and the SQLAlchemy engine{% endif %}."""
    if not configure_telemetry(settings):
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, excluded_urls="health/live,health/ready,metrics")
{%- if values.useDb %}

    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    from app.db import engine

    SQLAlchemyInstrumentor().instrument(engine=engine)
{%- endif %}
