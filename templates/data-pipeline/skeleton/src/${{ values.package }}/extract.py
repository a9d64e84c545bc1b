"""Workflow step `extract`: decide the interval and check its raw data is in S3.

Writes the interval (ISO 8601 `start/end`) to --output for the next steps.
Exits non-zero when the hour has no objects yet, so Argo retries the step
with back-off (late data) instead of loading an empty interval.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime, timedelta

import boto3

from .config import Settings

log = logging.getLogger(__name__)


def previous_hour(scheduled: datetime) -> tuple[datetime, datetime]:
    """The full hour before `scheduled`: 10:00:07 -> 09:00/10:00."""
    end = scheduled.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return end - timedelta(hours=1), end


def parse_interval(text: str) -> tuple[datetime, datetime]:
    start, end = text.split("/")
    return datetime.fromisoformat(start), datetime.fromisoformat(end)


def format_interval(start: datetime, end: datetime) -> str:
    return f"{start:%Y-%m-%dT%H:%M:%SZ}/{end:%Y-%m-%dT%H:%M:%SZ}"


def hour_prefixes(prefix: str, start: datetime, end: datetime) -> list[str]:
    prefixes, hour = [], start
    while hour < end:
        prefixes.append(f"{prefix.rstrip('/')}/dt={hour:%Y-%m-%d}/hour={hour:%H}/")
        hour += timedelta(hours=1)
    return prefixes


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stdout)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--interval", default="", help="start/end; empty: the hour before --scheduled-time")
    parser.add_argument("--scheduled-time", default="", help="RFC 3339 time the workflow was scheduled")
    parser.add_argument("--output", default="/tmp/interval")
    args = parser.parse_args(argv)

    if args.interval:
        start, end = parse_interval(args.interval)
    else:
        scheduled = (
            datetime.fromisoformat(args.scheduled_time.replace("Z", "+00:00"))
            if args.scheduled_time
            else datetime.now(UTC)
        )
        start, end = previous_hour(scheduled)

    settings = Settings()
    s3 = boto3.client("s3", region_name=settings.aws_region)
    objects = 0
    for prefix in hour_prefixes(settings.prefix, start, end):
        response = s3.list_objects_v2(Bucket=settings.bucket, Prefix=prefix)
        objects += response.get("KeyCount", 0)
    interval = format_interval(start, end)
    if objects == 0:
        log.error("no raw objects for %s under s3://%s/%s", interval, settings.bucket, settings.prefix)
        return 1
    log.info("%d raw objects for %s", objects, interval)
    with open(args.output, "w", encoding="utf-8") as fh:
        fh.write(interval)
    return 0


if __name__ == "__main__":
    sys.exit(main())
