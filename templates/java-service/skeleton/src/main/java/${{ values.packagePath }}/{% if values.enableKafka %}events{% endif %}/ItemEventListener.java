package ${{ values.packageName }}.events;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Example consumer of the service's own item events. Real services usually
 * consume other services' topics here; keep handlers idempotent, because
 * Kafka delivers at least once.
 */
@Component
public class ItemEventListener {

    private static final Logger log = LoggerFactory.getLogger(ItemEventListener.class);

    @KafkaListener(topics = "${app.kafka.topic}", groupId = "${spring.application.name}")
    public void onItemEvent(ItemEvent event) {
        log.info("Received {} for item {}", event.type(), event.itemId());
    }
}
