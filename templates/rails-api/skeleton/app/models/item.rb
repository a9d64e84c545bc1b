class Item < ApplicationRecord
  validates :name, presence: true, length: { maximum: 200 }, uniqueness: { case_sensitive: false }
  validates :description, length: { maximum: 2000 }
  validates :quantity, numericality: { only_integer: true, greater_than_or_equal_to: 0 }
{%- if values.enableActionCable %}

  # Every change is streamed to ItemsChannel subscribers.
  after_create_commit { broadcast_change("created") }
  after_update_commit { broadcast_change("updated") }
  after_destroy_commit { broadcast_change("deleted") }
{%- endif %}

  def processed?
    processed_at.present?
  end

  def mark_processed!
    update!(processed_at: Time.current)
  end
{%- if values.enableActionCable %}

  private

  def broadcast_change(event)
    ItemsChannel.broadcast_change(event, self)
  end
{%- endif %}
end
