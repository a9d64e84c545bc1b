require "rails_helper"

RSpec.describe "Health and metrics", type: :request do
  it "answers the liveness check" do
    get "/up"

    expect(response).to have_http_status(:ok)
  end

  it "answers the readiness check" do
{%- if values.useRedis %}
    redis = instance_double(Redis, ping: "PONG", close: nil)
    allow(Redis).to receive(:new).and_return(redis)

{%- endif %}
    get "/ready"

    expect(response).to have_http_status(:ok)
    expect(response.parsed_body["checks"]).to include("database" => "ok")
  end

  it "exports Prometheus metrics" do
    get "/api/v1/items"
    get "/metrics"

    expect(response).to have_http_status(:ok)
    expect(response.body).to include("rails_requests_total")
  end
end
