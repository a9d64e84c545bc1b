# JSON representation of an Item (see openapi.yaml, components.schemas.Item).
class ItemSerializer
  def initialize(item)
    @item = item
  end

  def as_json(*)
    {
      id: @item.id,
      name: @item.name,
      description: @item.description,
      quantity: @item.quantity,
      processed_at: @item.processed_at&.iso8601,
      created_at: @item.created_at&.iso8601,
      updated_at: @item.updated_at&.iso8601
    }
  end

  def to_json(*args)
    as_json.to_json(*args)
  end
end
