"""Entry point: `python -m ${{ values.package }}` runs the ${{ values.source }} consumer until SIGTERM."""

from __future__ import annotations

import logging
import signal
import sys

import boto3

from .config import Settings
{%- if values.source == 'kafka' %}
from .kafka_consumer import KafkaPipeline
{%- else %}
from .kinesis_consumer import KinesisPipeline
{%- endif %}
from .sink import S3Sink
from .telemetry import Health, serve, setup_tracing


def main() -> int:
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stdout,
        format='{"time":"%(asctime)s","level":"%(levelname)s","logger":"%(name)s","message":"%(message)s"}',
    )
    settings = Settings()
    provider = setup_tracing(settings.service_name)
    health = Health()
    server = serve(settings.metrics_port, health)
    sink = S3Sink(boto3.client("s3", region_name=settings.aws_region), settings.bucket, settings.prefix)
{%- if values.source == 'kafka' %}
    pipeline = KafkaPipeline(settings, sink)
{%- else %}
    pipeline = KinesisPipeline(settings, sink)
{%- endif %}

    # Graceful shutdown: Kubernetes sends SIGTERM, then waits
    # terminationGracePeriodSeconds; the loop flushes the open batch and
    # commits before exiting.
    def on_signal(signum: int, _frame: object) -> None:
        logging.getLogger(__name__).info("signal %d: stopping after the current batch", signum)
        pipeline.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        pipeline.run(health)
    finally:
        server.shutdown()
        if provider is not None:
            provider.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
