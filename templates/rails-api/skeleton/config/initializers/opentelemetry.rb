# OpenTelemetry traces over OTLP to the platform's collector (Grafana Alloy),
# which forwards them to Grafana Cloud Tempo.
#
# The endpoint, service name and resource attributes come from the standard
# variables set in deploy/rollout.yaml:
#   OTEL_EXPORTER_OTLP_ENDPOINT=http://alloy.observability.svc.cluster.local:4318
#   OTEL_SERVICE_NAME=${{ values.name }}
#   OTEL_RESOURCE_ATTRIBUTES=service.namespace=${{ values.namespace }},deployment.environment=production
# The Ruby OTLP exporter speaks OTLP/HTTP (port 4318); there is no maintained
# gRPC exporter gem.
require "opentelemetry/sdk"
require "opentelemetry/exporter/otlp"
require "opentelemetry/instrumentation/all"

if Rails.env.test? || ENV["OTEL_SDK_DISABLED"] == "true"
  OpenTelemetry.logger = Logger.new(File::NULL)
else
  ENV["OTEL_SERVICE_NAME"] ||= "${{ values.name }}"
  ENV["OTEL_EXPORTER_OTLP_ENDPOINT"] ||= "http://alloy.observability.svc.cluster.local:4318"
  ENV["OTEL_RESOURCE_ATTRIBUTES"] ||= "service.namespace=${{ values.namespace }},deployment.environment=production"

  OpenTelemetry::SDK.configure do |c|
    c.add_span_processor(
      OpenTelemetry::SDK::Trace::Export::BatchSpanProcessor.new(
        OpenTelemetry::Exporter::OTLP::Exporter.new
      )
    )
    # Rails, Rack, ActiveRecord, PG, Net::HTTP{% if values.enableSidekiq %}, Sidekiq{% endif %}{% if values.useRedis %}, Redis{% endif %}, ...
    c.use_all(
      "OpenTelemetry::Instrumentation::Rack" => { untraced_endpoints: ["/up", "/ready", "/metrics"] }
    )
  end
end
