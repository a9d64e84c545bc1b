"""Size- and time-bounded batches of decoded records."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Batch:
    """Records collected since the last flush, with the position to commit after it."""

    records: list[dict[str, Any]] = field(default_factory=list)
    positions: dict[str, Any] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def __len__(self) -> int:
        return len(self.records)


class Batcher:
    """Collects records; `ready()` says when to flush (max records or max age)."""

    def __init__(
        self,
        max_records: int,
        max_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_records < 1 or max_seconds <= 0:
            raise ValueError("max_records must be >= 1 and max_seconds > 0")
        self.max_records = max_records
        self.max_seconds = max_seconds
        self._clock = clock
        self._batch = Batch(started=clock())

    def add(self, record: dict[str, Any], position_key: str, position: Any) -> None:
        """Add a record and remember the latest position of its partition/shard.

        A batch's age counts from its first record, so an idle consumer does
        not write a one-record batch as soon as traffic resumes.
        """
        if not self._batch.records:
            self._batch.started = self._clock()
        self._batch.records.append(record)
        self._batch.positions[position_key] = position

    def ready(self) -> bool:
        if not self._batch.records:
            return False
        return (
            len(self._batch) >= self.max_records
            or self._clock() - self._batch.started >= self.max_seconds
        )

    def take(self) -> Batch:
        """Return the current batch and start a new one."""
        batch, self._batch = self._batch, Batch(started=self._clock())
        return batch

    def __len__(self) -> int:
        return len(self._batch)
