# Streams item changes to websocket clients:
#   const cable = createConsumer("wss://<host>/cable")
#   cable.subscriptions.create("ItemsChannel", { received: (msg) => console.log(msg) })
class ItemsChannel < ApplicationCable::Channel
  STREAM = "items".freeze

  def self.broadcast_change(event, item)
    ActionCable.server.broadcast(STREAM, { event: event, item: ItemSerializer.new(item).as_json })
  end

  def subscribed
    stream_from STREAM
  end

  def unsubscribed
    stop_all_streams
  end
end
