from ${{ values.package }}.batching import Batcher


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_flushes_when_full() -> None:
    batcher = Batcher(max_records=2, max_seconds=60, clock=FakeClock())
    batcher.add({"id": 1}, "p0", 10)
    assert not batcher.ready()
    batcher.add({"id": 2}, "p0", 11)
    assert batcher.ready()
    batch = batcher.take()
    assert [r["id"] for r in batch.records] == [1, 2]
    assert batch.positions == {"p0": 11}
    assert len(batcher) == 0


def test_flushes_when_old_enough_but_never_empty() -> None:
    clock = FakeClock()
    batcher = Batcher(max_records=100, max_seconds=5, clock=clock)
    clock.now = 10
    assert not batcher.ready()
    batcher.add({"id": 1}, "p1", 3)
    clock.now = 14.9
    assert not batcher.ready()
    clock.now = 15
    assert batcher.ready()


def test_keeps_latest_position_per_partition() -> None:
    batcher = Batcher(max_records=10, max_seconds=5, clock=FakeClock())
    for partition, offset in [("a", 1), ("b", 7), ("a", 2)]:
        batcher.add({}, partition, offset)
    assert batcher.take().positions == {"a": 2, "b": 7}
