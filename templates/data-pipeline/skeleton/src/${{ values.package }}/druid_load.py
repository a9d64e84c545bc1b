"""Submit Druid ingestion specs to the Overlord (through the Router).

    python -m ${{ values.package }}.druid_load batch druid/batch-index-parallel.json --interval 2025-01-01T00:00:00Z/2025-01-01T01:00:00Z
    python -m ${{ values.package }}.druid_load supervisor druid/${{ values.source }}-supervisor.json

`batch` replaces the interval of the spec, submits the task and waits for
it; `supervisor` creates or updates the real-time supervisor.
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import os
import sys
import time
from typing import Any

import requests

from .config import Settings
from .extract import hour_prefixes, parse_interval

log = logging.getLogger(__name__)
DRUID_URL = os.environ.get("DRUID_URL", "http://druid-router.druid.svc.cluster.local:8888")


def with_interval(spec: dict[str, Any], interval: str, s3_prefixes: list[str] | None = None) -> dict[str, Any]:
    """Copy of an index_parallel spec limited to one interval (replaces those segments).

    With s3_prefixes, only those hourly prefixes are read instead of the
    spec's whole prefix.
    """
    result = copy.deepcopy(spec)
    granularity = result["spec"]["dataSchema"].setdefault("granularitySpec", {})
    granularity["intervals"] = [interval]
    if s3_prefixes:
        result["spec"]["ioConfig"]["inputSource"]["prefixes"] = s3_prefixes
    return result


def submit_task(session: requests.Session, spec: dict[str, Any]) -> str:
    response = session.post(f"{DRUID_URL}/druid/indexer/v1/task", json=spec, timeout=30)
    response.raise_for_status()
    return response.json()["task"]


def wait_for_task(session: requests.Session, task_id: str, timeout_s: int = 3600) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        response = session.get(f"{DRUID_URL}/druid/indexer/v1/task/{task_id}/status", timeout=30)
        response.raise_for_status()
        status = response.json()["status"]["statusCode"]
        if status != "RUNNING":
            return status
        time.sleep(15)
    return "TIMEOUT"


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stdout)
    parser = argparse.ArgumentParser(description="Submit Druid ingestion specs")
    parser.add_argument("kind", choices=["batch", "supervisor"])
    parser.add_argument("spec")
    parser.add_argument("--interval", help="ISO 8601 start/end (batch only)")
    args = parser.parse_args(argv)

    with open(args.spec, encoding="utf-8") as fh:
        spec = json.load(fh)
    session = requests.Session()
    if args.kind == "supervisor":
        response = session.post(f"{DRUID_URL}/druid/indexer/v1/supervisor", json=spec, timeout=30)
        response.raise_for_status()
        log.info("supervisor %s submitted", response.json().get("id"))
        return 0
    if args.interval:
        settings = Settings()
        start, end = parse_interval(args.interval)
        prefixes = [f"s3://{settings.bucket}/{p}" for p in hour_prefixes(settings.prefix, start, end)]
        spec = with_interval(spec, args.interval, prefixes)
    task_id = submit_task(session, spec)
    log.info("task %s submitted", task_id)
    status = wait_for_task(session, task_id)
    log.info("task %s finished: %s", task_id, status)
    return 0 if status == "SUCCESS" else 1


if __name__ == "__main__":
    sys.exit(main())
