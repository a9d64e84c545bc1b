plugins {
    java
    id("org.springframework.boot") version "3.4.5"
    id("io.spring.dependency-management") version "1.1.7"
}

group = "${{ values.groupId }}"
version = "0.1.0-SNAPSHOT"

java {
    toolchain {
        languageVersion = JavaLanguageVersion.of(${{ values.javaVersion }})
    }
}

repositories {
    mavenCentral()
}

// The OpenTelemetry Java agent is not a library of the application: it is
// copied next to the jar (build/otel) and loaded with -javaagent in the image.
val otelAgent: Configuration by configurations.creating

dependencies {
    implementation("org.springframework.boot:spring-boot-starter-web")
    implementation("org.springframework.boot:spring-boot-starter-validation")
    implementation("org.springframework.boot:spring-boot-starter-actuator")
    runtimeOnly("io.micrometer:micrometer-registry-prometheus")
{% if values.database == 'postgres' %}

    implementation("org.springframework.boot:spring-boot-starter-data-jpa")
    implementation("org.flywaydb:flyway-core")
    runtimeOnly("org.flywaydb:flyway-database-postgresql")
    runtimeOnly("org.postgresql:postgresql")
{% endif %}
{% if values.enableKafka %}

    implementation("org.springframework.kafka:spring-kafka")
{% endif %}

    testImplementation("org.springframework.boot:spring-boot-starter-test")
{% if values.database == 'postgres' or values.enableKafka %}
    testImplementation("org.springframework.boot:spring-boot-testcontainers")
    testImplementation("org.testcontainers:junit-jupiter")
{% endif %}
{% if values.database == 'postgres' %}
    testImplementation("org.testcontainers:postgresql")
{% endif %}
{% if values.enableKafka %}
    testImplementation("org.testcontainers:kafka")
    testImplementation("org.springframework.kafka:spring-kafka-test")
{% endif %}
    testRuntimeOnly("org.junit.platform:junit-platform-launcher")

    otelAgent("io.opentelemetry.javaagent:opentelemetry-javaagent:2.15.0")
}

tasks.withType<JavaCompile>().configureEach {
    options.compilerArgs.addAll(listOf("-parameters", "-Xlint:all,-processing,-serial"))
}

tasks.withType<Test>().configureEach {
    useJUnitPlatform()
    testLogging {
        events("failed")
        exceptionFormat = org.gradle.api.tasks.testing.logging.TestExceptionFormat.FULL
    }
}

val copyOtelAgent by tasks.registering(Copy::class) {
    from(otelAgent)
    into(layout.buildDirectory.dir("otel"))
    rename { "opentelemetry-javaagent.jar" }
}

tasks.bootJar {
    archiveFileName = "app.jar"
    dependsOn(copyOtelAgent)
}

// Only the executable jar is needed.
tasks.jar {
    enabled = false
}
