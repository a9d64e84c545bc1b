package ${{ values.packageName }}.events;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Publishes {@link ItemEvent}s to the topic {@code app.kafka.topic}.
 * <p>
 * Sending is asynchronous and at-least-once; consumers must be idempotent.
 * When an event must never be lost together with a committed database change,
 * replace this with a transactional outbox (see docs/architecture/decisions.md).
 */
@Component
public class ItemEventPublisher {

    private static final Logger log = LoggerFactory.getLogger(ItemEventPublisher.class);

    private final KafkaTemplate<String, ItemEvent> kafkaTemplate;
    private final String topic;

    public ItemEventPublisher(KafkaTemplate<String, ItemEvent> kafkaTemplate,
                              @Value("${app.kafka.topic}") String topic) {
        this.kafkaTemplate = kafkaTemplate;
        this.topic = topic;
    }

    public void publish(ItemEvent event) {
        kafkaTemplate.send(topic, event.itemId().toString(), event)
                .whenComplete((result, failure) -> {
                    if (failure != null) {
                        log.error("Could not publish {} for item {}", event.type(), event.itemId(), failure);
                    } else {
                        log.debug("Published {} for item {} at offset {}", event.type(), event.itemId(),
                                result.getRecordMetadata().offset());
                    }
                });
    }
}
