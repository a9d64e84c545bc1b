"""Writes batches to the S3 data lake as gzip JSON lines, partitioned by hour."""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import UTC, datetime
from typing import Any, Protocol


class ObjectStore(Protocol):
    def put_object(self, **kwargs: Any) -> Any: ...


def object_key(prefix: str, when: datetime) -> str:
    """raw/<name>/dt=2025-01-31/hour=09/<uuid>.json.gz (Hive-style partitions for Athena)."""
    return f"{prefix.rstrip('/')}/dt={when:%Y-%m-%d}/hour={when:%H}/{uuid.uuid4()}.json.gz"


def encode(records: list[dict[str, Any]]) -> bytes:
    lines = "".join(json.dumps(r, separators=(",", ":"), default=str) + "\n" for r in records)
    return gzip.compress(lines.encode("utf-8"))


class S3Sink:
    def __init__(self, s3: ObjectStore, bucket: str, prefix: str) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._prefix = prefix

    def write(self, records: list[dict[str, Any]], now: datetime | None = None) -> str:
        key = object_key(self._prefix, now or datetime.now(UTC))
        self._s3.put_object(
            Bucket=self._bucket,
            Key=key,
            Body=encode(records),
            ContentType="application/x-ndjson",
            ContentEncoding="gzip",
        )
        return key
