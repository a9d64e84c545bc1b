"""Workflow step `notify`: post the run's result to Slack (or just log it)."""

from __future__ import annotations

import argparse
import logging
import os
import sys

import requests

log = logging.getLogger(__name__)


def message(workflow: str, status: str, interval: str) -> str:
    icon = ":white_check_mark:" if status == "Succeeded" else ":x:"
    return f"{icon} `{workflow}` {status.lower()} for {interval or 'the scheduled interval'}"


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stdout)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workflow", required=True)
    parser.add_argument("--status", required=True)
    parser.add_argument("--interval", default="")
    args = parser.parse_args(argv)

    text = message(args.workflow, args.status, args.interval)
    webhook = os.environ.get("SLACK_WEBHOOK_URL")
    if not webhook:
        log.info("%s (SLACK_WEBHOOK_URL not set, not posted)", text)
        return 0
    response = requests.post(webhook, json={"text": text}, timeout=10)
    response.raise_for_status()
    return 0


if __name__ == "__main__":
    sys.exit(main())
