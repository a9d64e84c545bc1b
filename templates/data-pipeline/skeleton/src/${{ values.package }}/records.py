"""Decoding of source payloads into the records written to the data lake."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any


def decode(payload: bytes | None, source_position: str) -> dict[str, Any] | None:
    """Parse one JSON event; None (counted as failed) when it is not a JSON object.

    `_ingested_at` and `_source` are added for lineage and late-data checks;
    Druid and dbt read the event's own `timestamp` field.
    """
    if not payload:
        return None
    try:
        value = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(value, dict):
        return None
    value["_ingested_at"] = datetime.now(UTC).isoformat()
    value["_source"] = source_position
    return value
