require_relative "boot"

require "rails"
# Pick the frameworks you want:
require "active_model/railtie"
require "active_job/railtie"
require "active_record/railtie"
require "action_controller/railtie"
{%- if values.enableActionCable %}
require "action_cable/engine"
{%- endif %}

# Require the gems listed in Gemfile, including any gems
# you've limited to :test, :development, or :production.
Bundler.require(*Rails.groups)

module ${{ values.moduleName }}
  class Application < Rails::Application
    # Initialize configuration defaults for originally generated Rails version.
    config.load_defaults 7.1

    # Please, add to the `ignore` list any other `lib` subdirectories that do
    # not contain `.rb` files, or that should not be reloaded or eager loaded.
    config.autoload_lib(ignore: %w[assets tasks])

    config.time_zone = "UTC"

    # Only loads a smaller set of middleware suitable for API only apps.
    config.api_only = true

    # Background jobs: {% if values.enableSidekiq %}Sidekiq (config/sidekiq.yml, config/initializers/sidekiq.rb){% else %}in-process (no Sidekiq){% endif %}.
    config.active_job.queue_adapter = :{% if values.enableSidekiq %}sidekiq{% else %}async{% endif %}

    # Prometheus metrics at /metrics (yabeda-rails request metrics and our own).
    config.middleware.use Yabeda::Prometheus::Exporter, path: "/metrics"

    # Structured request logs: one JSON line per request (config/initializers/lograge.rb).
    config.lograge.enabled = true
  end
end
