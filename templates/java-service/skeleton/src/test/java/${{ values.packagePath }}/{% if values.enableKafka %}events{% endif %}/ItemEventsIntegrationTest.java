package ${{ values.packageName }}.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.annotation.KafkaListener;

import ${{ values.packageName }}.TestcontainersConfiguration;

/**
 * Publishes an item event to Kafka in a container and reads it back with a
 * second consumer group: topic, serialisation and deserialisation end to end.
 */
@SpringBootTest
@Import(TestcontainersConfiguration.class)
class ItemEventsIntegrationTest {

    @Autowired
    private ItemEventPublisher publisher;

    @Autowired
    private Collector collector;

    @Test
    void publishedEventsCanBeConsumed() throws InterruptedException {
        UUID itemId = UUID.randomUUID();
        publisher.publish(new ItemEvent(ItemEvent.CREATED, itemId, "First", Instant.now()));

        ItemEvent received;
        do {
            received = collector.events.poll(30, TimeUnit.SECONDS);
            assertThat(received).as("an event within 30 seconds").isNotNull();
        } while (!received.itemId().equals(itemId));
        assertThat(received.type()).isEqualTo(ItemEvent.CREATED);
        assertThat(received.name()).isEqualTo("First");
    }

    /** A test-only consumer in its own group, next to the application's listener. */
    @TestConfiguration(proxyBeanMethods = false)
    static class Collector {

        final BlockingQueue<ItemEvent> events = new LinkedBlockingQueue<>();

        @KafkaListener(topics = "${app.kafka.topic}", groupId = "${spring.application.name}-test")
        public void collect(ItemEvent event) {
            events.add(event);
        }
    }
}
