package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthSnapshot;
import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.testapp.TestApplication;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter on a real Undertow with Actuator's Prometheus endpoint: the monitor is on without any configuration
 * class, counts exactly per Spring MVC route, and /actuator/prometheus carries the shipped rules' series.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "management.endpoints.web.exposure.include=prometheus",
                // @SpringBootTest turns metrics export off unless told.
                "management.prometheus.metrics.export.enabled=true",
                "bandwidth.name=starter", "bandwidth.client-key=header:X-Worker-Id|remote-address",
                "bandwidth.row-hold=0s"})
class StarterTest {

    @LocalServerPort
    int port;
    @Autowired
    BandwidthStats stats;
    @Autowired
    BandwidthMeters meters;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void actuatorPrometheusCarriesTheShippedRulesSeriesExactly() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(client.send(HttpRequest.newBuilder(uri("/jobs/" + i)).header("X-Worker-Id", "w-" + i).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).body()).hasSize(1000);
        }
        HttpResponse<String> upload = client.send(HttpRequest.newBuilder(uri("/artifacts/a.bin"))
                .header("Content-Type", "application/octet-stream").header("X-Worker-Id", "w-9")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[7_777])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(upload.body()).isEqualTo("n=7777");
        Await.completed(stats, 4);
        assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(
                new ObjectName("io.github.httpbandwidth:type=BandwidthStats,name=starter"))).isTrue();

        // The scrape itself is an exchange of the application: the figures below were fixed before it.
        HttpResponse<String> scrape = client.send(HttpRequest.newBuilder(uri("/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(scrape.statusCode()).isEqualTo(200);
        String text = scrape.body();
        assertThat(text).contains("# TYPE scheduler_http_bandwidth_bytes_total counter",
                "# TYPE scheduler_http_requests_total counter",
                "# TYPE scheduler_http_endpoint_bandwidth_bytes_total counter",
                "# TYPE scheduler_http_client_bandwidth_bytes_total counter");
        assertThat(value(text, "scheduler_http_bandwidth_bytes_total{direction=\"inbound\",handler=\"starter\"}"))
                .isEqualTo(7_777);
        assertThat(value(text, "scheduler_http_endpoint_bandwidth_bytes_total{direction=\"outbound\",endpoint=\"/jobs/{id}\",handler=\"starter\"}"))
                .isEqualTo(3_000);
        assertThat(value(text, "scheduler_http_endpoint_bandwidth_bytes_total{direction=\"inbound\",endpoint=\"/artifacts/{name}\",handler=\"starter\"}"))
                .isEqualTo(7_777);
        assertThat(value(text, "scheduler_http_endpoint_requests_total{endpoint=\"/jobs/{id}\",handler=\"starter\"}"))
                .isEqualTo(3);
        assertThat(value(text, "scheduler_http_client_bandwidth_bytes_total{client=\"w-9\",direction=\"inbound\",handler=\"starter\"}"))
                .isEqualTo(7_777);
        // The histogram rows, as the agent gives them (the shipped Prometheus config renames them to *_bucket).
        assertThat(value(text, "scheduler_http_request_size_bytes_count{handler=\"starter\"}")).isEqualTo(4);
        assertThat(value(text, "scheduler_http_request_size_bytes_sum{handler=\"starter\"}")).isEqualTo(7_777);
        // Micrometer's own meters are still there: the rules were added to its registry, not put in its place.
        assertThat(text).contains("jvm_memory_used_bytes");
        // The starter's Micrometer meters (undertow.bandwidth.*) are kept off this registry: each figure once. With
        // Prometheus's the only registry, they are not made at all (they would only hold heap).
        assertThat(text).doesNotContain("undertow_bandwidth");
        assertThat(meters.rowMetersHeld()).isZero();

        // What Prometheus asks for first: OpenMetrics. The rule engine's own gauges then need client_java's tracer
        // initializer, which micrometer-registry-prometheus leaves out (a 500 without it).
        HttpResponse<String> openMetrics = client.send(HttpRequest.newBuilder(uri("/actuator/prometheus"))
                .header("Accept", "application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
                        + "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(openMetrics.statusCode()).isEqualTo(200);
        assertThat(openMetrics.body()).contains("# TYPE scheduler_http_bandwidth_bytes counter")
                .contains("scheduler_http_bandwidth_bytes_total{direction=\"inbound\",handler=\"starter\"} 7777.0")
                .endsWith("# EOF\n");
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** The value of the sample whose name and labels are exactly {@code series}. */
    static double value(String exposition, String series) {
        return exposition.lines().filter(line -> line.startsWith(series + " ")).findFirst()
                .map(line -> Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]))
                .orElseThrow(() -> new AssertionError("no sample " + series + " in:\n" + exposition));
    }
}
