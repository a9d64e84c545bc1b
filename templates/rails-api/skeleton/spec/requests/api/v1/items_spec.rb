require "rails_helper"

RSpec.describe "/api/v1/items", type: :request do
  let(:json) { response.parsed_body }

  describe "GET /api/v1/items" do
    it "lists items with pagination" do
      %w[a b c].each { |name| Item.create!(name: name) }

      get "/api/v1/items", params: { offset: 1, limit: 1 }

      expect(response).to have_http_status(:ok)
      expect(json["total"]).to eq(3)
      expect(json["items"].map { |item| item["name"] }).to eq(["b"])
    end
  end

  describe "GET /api/v1/items/:id" do
    it "returns the item" do
      item = Item.create!(name: "widget", quantity: 2)

      get "/api/v1/items/#{item.id}"

      expect(response).to have_http_status(:ok)
      expect(json).to include("id" => item.id, "name" => "widget", "quantity" => 2)
    end

    it "returns 404 for an unknown id" do
      get "/api/v1/items/0"

      expect(response).to have_http_status(:not_found)
    end
  end

  describe "POST /api/v1/items" do
    it "creates an item" do
      expect do
        post "/api/v1/items", params: { item: { name: "widget", description: "useful", quantity: 3 } }, as: :json
      end.to change(Item, :count).by(1)

      expect(response).to have_http_status(:created)
      expect(response.headers["Location"]).to end_with("/api/v1/items/#{json['id']}")
      expect(json["name"]).to eq("widget")
    end

    it "accepts unwrapped parameters (wrap_parameters)" do
      post "/api/v1/items", params: { name: "flat" }, as: :json

      expect(response).to have_http_status(:created)
    end

    it "rejects invalid items" do
      post "/api/v1/items", params: { item: { name: "", quantity: -1 } }, as: :json

      expect(response).to have_http_status(:unprocessable_entity)
      expect(json["errors"].keys).to include("name", "quantity")
    end

    it "rejects duplicate names" do
      Item.create!(name: "widget")

      post "/api/v1/items", params: { item: { name: "Widget" } }, as: :json

      expect(response).to have_http_status(:unprocessable_entity)
    end
{%- if values.enableSidekiq %}

    it "enqueues ProcessItemJob" do
      expect do
        post "/api/v1/items", params: { item: { name: "queued" } }, as: :json
      end.to have_enqueued_job(ProcessItemJob).on_queue("default")
    end
{%- endif %}
{%- if values.enableActionCable %}

    it "broadcasts the new item to ItemsChannel" do
      expect do
        post "/api/v1/items", params: { item: { name: "broadcast" } }, as: :json
      end.to have_broadcasted_to("items").with(a_hash_including("event" => "created"))
    end
{%- endif %}
  end

  describe "PATCH /api/v1/items/:id" do
    it "updates the item" do
      item = Item.create!(name: "widget")

      patch "/api/v1/items/#{item.id}", params: { item: { quantity: 7 } }, as: :json

      expect(response).to have_http_status(:ok)
      expect(item.reload.quantity).to eq(7)
    end
  end

  describe "DELETE /api/v1/items/:id" do
    it "deletes the item" do
      item = Item.create!(name: "widget")

      expect { delete "/api/v1/items/#{item.id}" }.to change(Item, :count).by(-1)
      expect(response).to have_http_status(:no_content)
    end
  end
end
