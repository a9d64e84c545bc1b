module Api
  module V1
    # JSON CRUD for items: /api/v1/items
    class ItemsController < ApplicationController
      DEFAULT_LIMIT = 50
      MAX_LIMIT = 200

      before_action :set_item, only: %i[show update destroy]

      # GET /api/v1/items?offset=0&limit=50
      def index
        offset = [params.fetch(:offset, 0).to_i, 0].max
        limit = params.fetch(:limit, DEFAULT_LIMIT).to_i.clamp(1, MAX_LIMIT)
        items = Item.order(:id).offset(offset).limit(limit)

        render json: {
          items: items.map { |item| ItemSerializer.new(item).as_json },
          total: Item.count,
          offset: offset,
          limit: limit
        }
      end

      # GET /api/v1/items/:id
      def show
        render json: ItemSerializer.new(@item)
      end

      # POST /api/v1/items
      def create
        @item = Item.new(item_params)

        if @item.save
          Yabeda.items.changed_total.increment({ operation: "create" })
{%- if values.enableSidekiq %}
          ProcessItemJob.perform_later(@item.id)
{%- endif %}
          render json: ItemSerializer.new(@item), status: :created, location: api_v1_item_url(@item)
        else
          render json: { errors: @item.errors }, status: :unprocessable_entity
        end
      end

      # PATCH/PUT /api/v1/items/:id
      def update
        if @item.update(item_params)
          Yabeda.items.changed_total.increment({ operation: "update" })
          render json: ItemSerializer.new(@item)
        else
          render json: { errors: @item.errors }, status: :unprocessable_entity
        end
      end

      # DELETE /api/v1/items/:id
      def destroy
        @item.destroy!
        Yabeda.items.changed_total.increment({ operation: "delete" })
        head :no_content
      end

      private

      def set_item
        @item = Item.find(params[:id])
      end

      # Only allow a list of trusted parameters through.
      def item_params
        params.require(:item).permit(:name, :description, :quantity)
      end
    end
  end
end
