"""Settings read from the environment (and a local .env file) with pydantic-settings."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    app_name: str = "${{ values.name }}"
    environment: str = Field(default="development", description="development, test or production")
    log_level: str = "INFO"
    log_json: bool = True
{%- if values.useDb %}

    database_url: str = "postgresql+psycopg://app:app@localhost:5432/${{ values.name | replace("-", "_") }}"
    database_pool_size: int = 5
    database_echo: bool = False
{%- endif %}
{%- if values.enableCelery %}

    redis_url: str = "redis://localhost:6379/0"
    celery_result_backend: str | None = None
    celery_task_always_eager: bool = False
{%- endif %}

    # OpenTelemetry: the platform's Alloy collector receives OTLP over gRPC.
    otel_sdk_disabled: bool = False
    otel_service_name: str = "${{ values.name }}"
    otel_exporter_otlp_endpoint: str = "http://alloy.observability.svc.cluster.local:4317"
    otel_resource_attributes: str = "service.namespace=${{ values.namespace }},deployment.environment=production"


@lru_cache
def get_settings() -> Settings:
    return Settings()
