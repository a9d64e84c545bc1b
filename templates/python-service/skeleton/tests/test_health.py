"""Probe and metrics endpoints."""

import pytest
from fastapi.testclient import TestClient


def test_liveness(client: TestClient) -> None:
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readiness(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
{%- if values.enableCelery %}
    import redis

    class FakeRedis:
        def ping(self) -> bool:
            return True

    monkeypatch.setattr(redis.Redis, "from_url", classmethod(lambda cls, *a, **k: FakeRedis()))
{%- endif %}
    response = client.get("/health/ready")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ok"


def test_metrics(client: TestClient) -> None:
    client.get("/api/v1/items")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert "http_requests_total" in response.text
    assert "items_changed_total" in response.text
