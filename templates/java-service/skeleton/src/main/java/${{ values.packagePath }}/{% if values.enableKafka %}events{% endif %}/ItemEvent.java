package ${{ values.packageName }}.events;

import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

import ${{ values.packageName }}.item.Item;

/**
 * What the service publishes to Kafka when an item changes. The record is
 * serialised as JSON; the item id is the message key, so the events of one
 * item stay in order on one partition.
 */
public record ItemEvent(String type, UUID itemId, String name, Instant occurredAt) {

    public static final String CREATED = "item.created";
    public static final String UPDATED = "item.updated";
    public static final String DELETED = "item.deleted";

    public static ItemEvent of(String type, Item item, Clock clock) {
        return new ItemEvent(type, item.getId(), item.getName(), Instant.now(clock));
    }
}
