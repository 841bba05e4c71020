package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.testapp.TestApplication;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.autoconfigure.metrics.MeterRegistryCustomizer;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The common tags Actuator puts on every meter, from {@code management.metrics.tags.*} and from a
 * {@code MeterRegistryCustomizer} (the two ways Spring Boot's documentation gives), are on the rules' series in
 * {@code /actuator/prometheus} too, as on Micrometer's own: dashboards and alerts that select
 * {@code {application="jobs"}} find them. A series' own label wins over a common tag of its name, as a meter's own tag
 * does in Micrometer.
 */
@SpringBootTest(classes = {TestApplication.class, CommonTagsTest.Tags.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "management.endpoints.web.exposure.include=prometheus",
                "management.prometheus.metrics.export.enabled=true",
                "management.metrics.tags.application=jobs", "management.metrics.tags.handler=not-ours",
                "bandwidth.name=tagged", "bandwidth.row-hold=0s"})
class CommonTagsTest {

    @LocalServerPort
    int port;
    @Autowired
    BandwidthStats stats;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Configuration(proxyBeanMethods = false)
    static class Tags {
        @Bean
        MeterRegistryCustomizer<MeterRegistry> region() {
            return registry -> registry.config().commonTags("region", "eu-1");
        }
    }

    @Test
    void theRulesSeriesCarryTheCommonTagsOfEveryMeter() throws Exception {
        assertThat(client.send(HttpRequest.newBuilder(uri("/artifacts/a.bin"))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[4_321])).build(),
                HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("n=4321");
        Await.completed(stats, 1);

        String text = client.send(HttpRequest.newBuilder(uri("/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        // Micrometer's own meters, as Actuator tags them.
        assertThat(text).contains("jvm_threads_live_threads{application=\"jobs\",handler=\"not-ours\",region=\"eu-1\"}");
        assertThat(StarterTest.value(text, "scheduler_http_bandwidth_bytes_total"
                + "{application=\"jobs\",direction=\"inbound\",handler=\"tagged\",region=\"eu-1\"}")).isEqualTo(4_321);
        assertThat(StarterTest.value(text, "scheduler_http_endpoint_bandwidth_bytes_total"
                + "{application=\"jobs\",direction=\"inbound\",endpoint=\"/artifacts/{name}\",handler=\"tagged\","
                + "region=\"eu-1\"}")).isEqualTo(4_321);
        assertThat(StarterTest.value(text, "scheduler_http_requests_total"
                + "{application=\"jobs\",handler=\"tagged\",region=\"eu-1\"}")).isEqualTo(1);
        // The rule engine's own gauges too; a series the rules give without a handler label takes the common one.
        assertThat(text).contains("jmx_scrape_error{application=\"jobs\",handler=\"not-ours\",region=\"eu-1\"}");
        // No series of the rules is left without them.
        assertThat(text.lines().filter(line -> line.startsWith("scheduler_http_") || line.startsWith("jmx_"))
                .filter(line -> !line.contains("application=\"jobs\"") || !line.contains("region=\"eu-1\"")))
                .isEmpty();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
