"""FastAPI application: routers, health probes, Prometheus metrics and telemetry."""

import logging

from fastapi import FastAPI
from prometheus_fastapi_instrumentator import Instrumentator

from app import __version__, health
from app.api.v1 import router as api_v1
from app.config import get_settings
from app.logging_config import configure_logging
from app.telemetry import instrument_app

log = logging.getLogger(__name__)


def create_app() -> FastAPI:
    settings = get_settings()
    configure_logging(settings.log_level, settings.app_name, settings.log_json)

    app = FastAPI(
        title="${{ values.name }}",
        description=${{ values.description | dump }},
        version=__version__,
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.include_router(health.router)
    app.include_router(api_v1)

    # /metrics for the ServiceMonitor; request count and latency per route.
    Instrumentator(
        excluded_handlers=["/metrics", "/health/live", "/health/ready"],
        should_group_status_codes=False,
    ).instrument(app).expose(app, endpoint="/metrics", include_in_schema=False)

    instrument_app(app, settings)
    log.info("%s %s started", settings.app_name, __version__, extra={"environment": settings.environment})
    return app


app = create_app()
