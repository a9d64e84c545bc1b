package ${{ values.packageName }}.item;

{% if values.database == 'postgres' %}
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;

/**
 * Items in PostgreSQL (table {@code items}, created by the Flyway migration
 * {@code V1__create_items.sql}).
 */
public interface ItemRepository extends JpaRepository<Item, UUID> {
}
{% else %}
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Repository;

/**
 * Items in memory. The service was created without a database: the items are
 * lost on restart and not shared between replicas. Re-create the service with
 * the PostgreSQL option, or replace this class with a Spring Data repository.
 */
@Repository
public class ItemRepository {

    private final Map<UUID, Item> items = new ConcurrentHashMap<>();

    public Item save(Item item) {
        items.put(item.getId(), item);
        return item;
    }

    public Optional<Item> findById(UUID id) {
        return Optional.ofNullable(items.get(id));
    }

    public boolean existsById(UUID id) {
        return items.containsKey(id);
    }

    public void deleteById(UUID id) {
        items.remove(id);
    }

    /** All items, newest first. */
    public List<Item> findAll() {
        return items.values().stream()
                .sorted(Comparator.comparing(Item::getCreatedAt).reversed())
                .toList();
    }

    public long count() {
        return items.size();
    }
}
{% endif %}
