Rails.application.routes.draw do
  # Liveness: Rails 7.1 health check (200 when the app boots without exceptions).
  get "up" => "rails/health#show", as: :rails_health_check
  # Readiness: the database{% if values.useRedis %} and Redis{% endif %} answer.
  get "ready" => "health#ready", as: :readiness_check
{%- if values.enableActionCable %}

  # Websockets (ItemsChannel)
  mount ActionCable.server => "/cable"
{%- endif %}

  namespace :api do
    namespace :v1 do
      resources :items, only: %i[index show create update destroy]
    end
  end
end
