package ${{ values.packageName }}.item;

import java.time.Instant;
import java.util.UUID;

/** An item as the API returns it. */
public record ItemResponse(UUID id, String name, String description, Instant createdAt, Instant updatedAt) {

    static ItemResponse from(Item item) {
        return new ItemResponse(item.getId(), item.getName(), item.getDescription(),
                item.getCreatedAt(), item.getUpdatedAt());
    }
}
