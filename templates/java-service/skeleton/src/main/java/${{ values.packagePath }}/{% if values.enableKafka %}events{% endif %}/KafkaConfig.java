package ${{ values.packageName }}.events;

import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;

/**
 * Creates the item events topic on start-up when it does not exist yet.
 */
@Configuration(proxyBeanMethods = false)
public class KafkaConfig {

    @Bean
    NewTopic itemEventsTopic(@Value("${app.kafka.topic}") String topic,
                             @Value("${app.kafka.partitions:3}") int partitions,
                             @Value("${app.kafka.replication-factor:1}") int replicationFactor) {
        return TopicBuilder.name(topic)
                .partitions(partitions)
                .replicas(replicationFactor)
                .build();
    }
}
