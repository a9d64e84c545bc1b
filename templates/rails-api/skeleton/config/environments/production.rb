require "active_support/core_ext/integer/time"

Rails.application.configure do
  # Code is not reloaded between requests.
  config.enable_reloading = false

  # Eager load code on boot for performance and copy-on-write friendliness.
  config.eager_load = true

  # Full error reports are disabled.
  config.consider_all_requests_local = false

  # TLS is terminated at the load balancer; trust its X-Forwarded-Proto.
  config.assume_ssl = {% if values.exposePublicly %}true{% else %}false{% endif %}
  config.force_ssl = false

  # Log to STDOUT as JSON lines (lograge), tagged with the request id.
  config.logger = ActiveSupport::Logger.new($stdout)
    .tap  { |logger| logger.formatter = ::Logger::Formatter.new }
    .then { |logger| ActiveSupport::TaggedLogging.new(logger) }
  config.log_tags = [:request_id]
  config.log_level = ENV.fetch("RAILS_LOG_LEVEL", "info")
  config.lograge.formatter = Lograge::Formatters::Json.new

  # Enable locale fallbacks for I18n.
  config.i18n.fallbacks = true

  # Don't log any deprecations.
  config.active_support.report_deprecations = false

  # Do not dump schema after migrations.
  config.active_record.dump_schema_after_migration = false

{%- if values.enableActionCable %}

  # Action Cable: clients connect to /cable; allow the public origin{% if not values.exposePublicly %} (in-cluster only){% endif %}.
  config.action_cable.mount_path = "/cable"
  config.action_cable.allowed_request_origins = [%r{\Ahttps?://[^/]*\.acme\.example\z}]
{%- endif %}
end
