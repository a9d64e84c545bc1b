class CreateItems < ActiveRecord::Migration[7.1]
  def change
    create_table :items do |t|
      t.string :name, null: false, limit: 200
      t.text :description
      t.integer :quantity, null: false, default: 0
      t.datetime :processed_at

      t.timestamps
    end
    add_index :items, "lower(name)", unique: true, name: "index_items_on_lower_name"
  end
end
