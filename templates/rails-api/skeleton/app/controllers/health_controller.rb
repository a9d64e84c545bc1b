# Readiness probe: 200 when the dependencies answer, 503 otherwise.
# (Liveness is Rails' own /up.)
class HealthController < ApplicationController
  def ready
    checks = { database: database_ok? ? "ok" : "unavailable" }
{%- if values.useRedis %}
    checks[:redis] = redis_ok? ? "ok" : "unavailable"
{%- endif %}
    ready = checks.values.all?("ok")

    render json: { status: ready ? "ok" : "unavailable", checks: checks },
           status: ready ? :ok : :service_unavailable
  end

  private

  def database_ok?
    ActiveRecord::Base.connection.select_value("SELECT 1").to_i == 1
  rescue StandardError => e
    Rails.logger.warn("database not ready: #{e.message}")
    false
  end
{%- if values.useRedis %}

  def redis_ok?
    redis = Redis.new(url: ENV.fetch("REDIS_URL", "redis://localhost:6379/0"), timeout: 2)
    redis.ping == "PONG"
  rescue StandardError => e
    Rails.logger.warn("redis not ready: #{e.message}")
    false
  ensure
    redis&.close
  end
{%- endif %}
end
