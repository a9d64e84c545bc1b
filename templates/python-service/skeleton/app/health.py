"""Kubernetes probes: liveness says the process works, readiness that its dependencies answer."""

import logging

from fastapi import APIRouter, Response, status
{%- if values.useDb %}
from sqlalchemy import text
{%- endif %}

{%- if values.useDb %}

from app.db import engine
{%- endif %}
{%- if values.enableCelery %}
from app.config import get_settings
{%- endif %}

log = logging.getLogger(__name__)
router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live", summary="Liveness probe")
def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready", summary="Readiness probe")
def ready(response: Response) -> dict[str, object]:
    checks: dict[str, str] = {}
{%- if values.useDb %}
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        log.warning("database not ready: %s", exc)
        checks["database"] = "unavailable"
{%- endif %}
{%- if values.enableCelery %}
    try:
        import redis

        redis.Redis.from_url(get_settings().redis_url, socket_timeout=2).ping()
        checks["redis"] = "ok"
    except Exception as exc:  # noqa: BLE001
        log.warning("redis not ready: %s", exc)
        checks["redis"] = "unavailable"
{%- endif %}
    ok = all(value == "ok" for value in checks.values())
    if not ok:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return {"status": "ok" if ok else "unavailable", "checks": checks}
