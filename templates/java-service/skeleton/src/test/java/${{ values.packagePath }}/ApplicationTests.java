package ${{ values.packageName }};

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.boot.test.web.server.LocalManagementPort;
{% if values.database == 'postgres' or values.enableKafka %}
import org.springframework.context.annotation.Import;
{% endif %}
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/**
 * Starts the whole application{% if values.database == 'postgres' or values.enableKafka %} against containers (Testcontainers, needs Docker){% endif %}

 * and checks the Actuator endpoints Kubernetes and Prometheus use.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "management.server.port=0")
{% if values.database == 'postgres' or values.enableKafka %}
@Import(TestcontainersConfiguration.class)
{% endif %}
class ApplicationTests {

    @LocalManagementPort
    private int managementPort;

    @Autowired
    private TestRestTemplate rest;

    @Test
    void livenessAndReadinessAreUp() {
        for (String probe : new String[] {"liveness", "readiness"}) {
            ResponseEntity<String> response = rest.getForEntity(
                    "http://localhost:" + managementPort + "/actuator/health/" + probe, String.class);
            assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
            assertThat(response.getBody()).contains("\"status\":\"UP\"");
        }
    }

    @Test
    void exposesPrometheusMetrics() {
        ResponseEntity<String> response = rest.getForEntity(
                "http://localhost:" + managementPort + "/actuator/prometheus", String.class);
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(response.getBody()).contains("jvm_memory_used_bytes");
    }
}
