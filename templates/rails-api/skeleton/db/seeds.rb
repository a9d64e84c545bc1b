# Example data for development: bin/rails db:seed
%w[widget gadget gizmo].each_with_index do |name, index|
  Item.find_or_create_by!(name: name) { |item| item.quantity = index + 1 }
end
