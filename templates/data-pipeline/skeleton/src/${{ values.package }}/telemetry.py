"""OpenTelemetry traces to the platform collector, Prometheus metrics and probes.

The collector address and the resource come from the standard variables set
in deploy/rollout.yaml: OTEL_EXPORTER_OTLP_ENDPOINT
(http://alloy.observability.svc.cluster.local:4317), OTEL_SERVICE_NAME and
OTEL_RESOURCE_ATTRIBUTES (service.namespace, deployment.environment).
"""

from __future__ import annotations

import logging
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

log = logging.getLogger(__name__)

RECORDS_CONSUMED = Counter("pipeline_records_consumed_total", "Records read from the source")
RECORDS_FAILED = Counter("pipeline_records_failed_total", "Records that could not be decoded")
BATCHES_FLUSHED = Counter("pipeline_batches_flushed_total", "Batches written to the data lake")
FLUSH_ERRORS = Counter("pipeline_flush_errors_total", "Batches that failed to be written")
FLUSH_SECONDS = Histogram("pipeline_flush_duration_seconds", "Time to write one batch")
BATCH_RECORDS = Histogram(
    "pipeline_batch_records", "Records per batch", buckets=(10, 100, 500, 1000, 2500, 5000, 10000)
)
LAST_FLUSH = Gauge("pipeline_last_flush_timestamp_seconds", "Unix time of the last successful flush")


def setup_tracing(service_name: str) -> TracerProvider | None:
    """Export spans over OTLP/gRPC unless OTEL_SDK_DISABLED=true (tests, local runs)."""
    if os.environ.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return None
    # Resource.create() also reads OTEL_RESOURCE_ATTRIBUTES.
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    return provider


class Health:
    """Readiness flips on once the consumer is subscribed; liveness fails if the loop stalls."""

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.alive = threading.Event()
        self.alive.set()


def serve(port: int, health: Health) -> ThreadingHTTPServer:
    """Serve /metrics, /healthz and /readyz on a background thread."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            if self.path == "/metrics":
                self._send(200, generate_latest(), CONTENT_TYPE_LATEST)
            elif self.path == "/healthz":
                ok = health.alive.is_set()
                self._send(200 if ok else 503, b"ok\n" if ok else b"stalled\n")
            elif self.path == "/readyz":
                ok = health.ready.is_set()
                self._send(200 if ok else 503, b"ready\n" if ok else b"starting\n")
            else:
                self._send(404, b"not found\n")

        def _send(self, status: int, body: bytes, ctype: str = "text/plain") -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    log.info("metrics and probes on :%d", port)
    return server
