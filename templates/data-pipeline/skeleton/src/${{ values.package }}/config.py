"""Settings from the environment (12-factor); defaults suit local runs."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class Settings:
    service_name: str = field(default_factory=lambda: _env("OTEL_SERVICE_NAME", "${{ values.name }}"))
    aws_region: str = field(default_factory=lambda: _env("AWS_REGION", "eu-west-1"))
{%- if values.source == 'kafka' %}
    # Kafka (Amazon MSK). SASL_SSL + OAUTHBEARER uses MSK IAM auth (IRSA role).
    bootstrap_servers: str = field(default_factory=lambda: _env("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092"))
    topic: str = field(default_factory=lambda: _env("KAFKA_TOPIC", "${{ values.streamName }}"))
    group_id: str = field(default_factory=lambda: _env("KAFKA_GROUP_ID", "${{ values.name }}"))
    security_protocol: str = field(default_factory=lambda: _env("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT"))
{%- else %}
    # Kinesis Data Streams; shard leases and checkpoints live in DynamoDB.
    stream_name: str = field(default_factory=lambda: _env("KINESIS_STREAM_NAME", "${{ values.streamName }}"))
    lease_table: str = field(default_factory=lambda: _env("KINESIS_LEASE_TABLE", "${{ values.name }}-leases"))
    worker_id: str = field(default_factory=lambda: _env("POD_NAME", os.uname().nodename))
    lease_seconds: int = field(default_factory=lambda: int(_env("KINESIS_LEASE_SECONDS", "30")))
{%- endif %}
    # Batching: flush when either limit is reached.
    batch_max_records: int = field(default_factory=lambda: int(_env("BATCH_MAX_RECORDS", "5000")))
    batch_max_seconds: float = field(default_factory=lambda: float(_env("BATCH_MAX_SECONDS", "60")))
    # Sink: gzip JSON lines under s3://<bucket>/<prefix>/dt=YYYY-MM-DD/hour=HH/.
    bucket: str = field(default_factory=lambda: _env("DATA_LAKE_BUCKET", "${{ values.bucket }}"))
    prefix: str = field(default_factory=lambda: _env("DATA_LAKE_PREFIX", "raw/${{ values.name }}"))
    metrics_port: int = field(default_factory=lambda: int(_env("METRICS_PORT", "9464")))
