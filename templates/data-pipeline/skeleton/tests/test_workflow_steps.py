import gzip
import json
from datetime import UTC, datetime

from ${{ values.package }}.druid_load import with_interval
from ${{ values.package }}.extract import format_interval, hour_prefixes, previous_hour
from ${{ values.package }}.records import decode
from ${{ values.package }}.sink import S3Sink


def test_previous_hour_and_prefixes() -> None:
    start, end = previous_hour(datetime(2025, 3, 1, 10, 0, 7, tzinfo=UTC))
    assert format_interval(start, end) == "2025-03-01T09:00:00Z/2025-03-01T10:00:00Z"
    assert hour_prefixes("raw/x/", start, end) == ["raw/x/dt=2025-03-01/hour=09/"]


def test_with_interval_does_not_touch_the_original() -> None:
    spec = {"spec": {"dataSchema": {"granularitySpec": {"intervals": ["old"]}}}}
    result = with_interval(spec, "a/b")
    assert result["spec"]["dataSchema"]["granularitySpec"]["intervals"] == ["a/b"]
    assert spec["spec"]["dataSchema"]["granularitySpec"]["intervals"] == ["old"]


def test_with_interval_narrows_the_s3_prefixes() -> None:
    spec = {"spec": {"dataSchema": {}, "ioConfig": {"inputSource": {"type": "s3", "prefixes": ["s3://b/raw/x/"]}}}}
    result = with_interval(spec, "a/b", ["s3://b/raw/x/dt=2025-03-01/hour=09/"])
    assert result["spec"]["ioConfig"]["inputSource"]["prefixes"] == ["s3://b/raw/x/dt=2025-03-01/hour=09/"]


def test_decode_rejects_non_objects() -> None:
    assert decode(b"not json", "p:1") is None
    assert decode(b"[1, 2]", "p:1") is None
    record = decode(b'{"event_id": "e1"}', "p:1")
    assert record is not None and record["event_id"] == "e1" and record["_source"] == "p:1"


class FakeS3:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def put_object(self, **kwargs):
        self.objects[kwargs["Key"]] = kwargs["Body"]


def test_sink_writes_partitioned_gzip_json_lines() -> None:
    s3 = FakeS3()
    key = S3Sink(s3, "bucket", "raw/x").write([{"a": 1}, {"a": 2}], now=datetime(2025, 3, 1, 9, tzinfo=UTC))
    assert key.startswith("raw/x/dt=2025-03-01/hour=09/") and key.endswith(".json.gz")
    lines = gzip.decompress(s3.objects[key]).decode().splitlines()
    assert [json.loads(line) for line in lines] == [{"a": 1}, {"a": 2}]
