"""Test setup: settings for tests are put in the environment before the app is imported."""

import os
{%- if values.useDb %}
import tempfile
{%- endif %}
from collections.abc import Iterator

import pytest

os.environ.setdefault("ENVIRONMENT", "test")
os.environ.setdefault("OTEL_SDK_DISABLED", "true")
os.environ.setdefault("LOG_JSON", "false")
{%- if values.useDb %}
# CI sets DATABASE_URL to its PostgreSQL service; locally a throwaway SQLite file is used.
os.environ.setdefault("DATABASE_URL", f"sqlite+pysqlite:///{tempfile.mkdtemp()}/test.db")
{%- endif %}
{%- if values.enableCelery %}
# Tasks run inline, in the test process: no broker or worker needed.
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
{%- endif %}

from fastapi.testclient import TestClient  # noqa: E402

from app.main import app  # noqa: E402
{%- if values.useDb %}


@pytest.fixture(scope="session", autouse=True)
def database() -> Iterator[None]:
    """Build the schema with the real migrations, so they are tested too."""
    from alembic import command
    from alembic.config import Config

    config = Config(os.path.join(os.path.dirname(__file__), "..", "alembic.ini"))
    config.set_main_option("script_location", os.path.join(os.path.dirname(__file__), "..", "migrations"))
    command.upgrade(config, "head")
    yield
    command.downgrade(config, "base")


@pytest.fixture(autouse=True)
def clean_tables() -> Iterator[None]:
    yield
    from sqlalchemy import delete

    from app.db import SessionLocal
    from app.models import Item

    with SessionLocal() as session:
        session.execute(delete(Item))
        session.commit()
{%- else %}


@pytest.fixture(autouse=True)
def clean_store() -> Iterator[None]:
    from app.repository import ItemRepository

    ItemRepository.reset()
    yield
    ItemRepository.reset()
{%- endif %}


@pytest.fixture()
def client() -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client
