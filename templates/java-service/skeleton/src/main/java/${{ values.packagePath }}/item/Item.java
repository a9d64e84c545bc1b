package ${{ values.packageName }}.item;

import java.time.Instant;
import java.util.UUID;

{% if values.database == 'postgres' %}
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

{% endif %}
/**
 * An item: the example resource of this service. Replace it with your own domain.
 */
{% if values.database == 'postgres' %}
@Entity
@Table(name = "items")
{% endif %}
public class Item {

{% if values.database == 'postgres' %}
    @Id
    private UUID id;

    @Column(nullable = false, length = 100)
    private String name;

    @Column(length = 1000)
    private String description;

    @Column(name = "created_at", nullable = false, updatable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    /** Optimistic locking: concurrent updates of one item fail instead of overwriting each other. */
    @Version
    private Long version;

    /** For JPA. */
    protected Item() {
    }
{% else %}
    private final UUID id;
    private String name;
    private String description;
    private final Instant createdAt;
    private Instant updatedAt;
{% endif %}

    public Item(UUID id, String name, String description, Instant now) {
        this.id = id;
        this.name = name;
        this.description = description;
        this.createdAt = now;
        this.updatedAt = now;
    }

    public void update(String name, String description, Instant now) {
        this.name = name;
        this.description = description;
        this.updatedAt = now;
    }

    public UUID getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    public String getDescription() {
        return description;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }
}
