package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.testapp.TestApplication;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Micrometer's OTLP registry beside Actuator's Prometheus registry (a composite, as in a service that pushes OTLP and
 * is scraped too): the OTLP protobuf it sends carries the meters with their exact figures, decoded here from what a
 * collector would receive, and {@code /actuator/metrics} reads them, while {@code /actuator/prometheus} carries each
 * figure once, as {@code scheduler_http_*}.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "management.endpoints.web.exposure.include=prometheus,metrics",
                "management.prometheus.metrics.export.enabled=true", "management.otlp.metrics.export.enabled=true",
                "management.otlp.metrics.export.step=1s", "bandwidth.name=otlp",
                "bandwidth.client-key=header:X-Worker-Id", "bandwidth.row-hold=0s"})
class OtlpMetersTest {

    private static OtlpCollector collector;

    @DynamicPropertySource
    static void collector(DynamicPropertyRegistry properties) throws IOException {
        collector = OtlpCollector.start();
        properties.add("management.otlp.metrics.export.url", collector::url);
    }

    @AfterAll
    static void stopCollector() {
        collector.close();
    }

    @LocalServerPort
    int port;
    @Autowired
    BandwidthStats stats;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void otlpCarriesTheMetersExactlyAndPrometheusEachFigureOnce() throws Exception {
        long jobsSent = 0;
        for (int i = 0; i < 3; i++) {
            jobsSent += client.send(HttpRequest.newBuilder(uri("/jobs/" + i)).header("X-Worker-Id", "w-1").build(),
                    HttpResponse.BodyHandlers.ofByteArray()).body().length;
        }
        assertThat(client.send(HttpRequest.newBuilder(uri("/artifacts/a.bin")).header("X-Worker-Id", "w-2")
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[7_777])).build(),
                HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("n=7777");
        Await.completed(stats, 4);

        Map<String, Double> expected = new TreeMap<>(Map.of(
                "undertow.bandwidth.body.io handler=otlp network.io.direction=receive", 7_777.0,
                "undertow.bandwidth.route.body.io handler=otlp http.route=/jobs/{id} network.io.direction=transmit",
                (double) jobsSent,
                "undertow.bandwidth.route.requests handler=otlp http.route=/artifacts/{name}", 1.0,
                "undertow.bandwidth.route.status.requests handler=otlp http.response.status_class=2xx "
                        + "http.route=/jobs/{id}", 3.0,
                "undertow.bandwidth.client.requests client=w-1 handler=otlp", 3.0,
                "undertow.bandwidth.client.body.io client=w-2 handler=otlp network.io.direction=receive", 7_777.0));
        long deadline = System.nanoTime() + 30_000_000_000L;
        Map<String, Double> seen = seen(expected);
        while (!seen.equals(expected) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(200_000_000);
            seen = seen(expected);
        }
        assertThat(seen).isEqualTo(expected);
        assertThat(unit("undertow.bandwidth.route.body.io")).isEqualTo("bytes");
        // As from the OpenTelemetry agent: series for the status classes a route answered with, none for the others.
        assertThat(statusClasses("/jobs/{id}")).containsExactly("2xx");

        // /actuator/metrics reads the composite registry, whose Prometheus half has no such meter.
        assertThat(client.send(HttpRequest.newBuilder(uri("/actuator/metrics/undertow.bandwidth.body.io"
                + "?tag=network.io.direction:receive")).build(), HttpResponse.BodyHandlers.ofString()).body())
                .contains("{\"statistic\":\"COUNT\",\"value\":7777.0}");

        String scrape = client.send(HttpRequest.newBuilder(uri("/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(scrape).contains("scheduler_http_bandwidth_bytes_total{direction=\"inbound\",handler=\"otlp\"} 7777")
                .doesNotContain("undertow_bandwidth");
    }

    /** The last export's sums of the series named in {@code wanted} ("name key=value ..."). */
    private static Map<String, Double> seen(Map<String, Double> wanted) {
        Map<String, Double> seen = new TreeMap<>();
        ExportMetricsServiceRequest last = collector.last();
        if (last == null) {
            return seen;
        }
        for (ResourceMetrics resource : last.getResourceMetricsList()) {
            for (ScopeMetrics scope : resource.getScopeMetricsList()) {
                for (Metric metric : scope.getMetricsList()) {
                    for (NumberDataPoint point : metric.getSum().getDataPointsList()) {
                        String series = OtlpCollector.series(metric, point);
                        if (wanted.containsKey(series)) {
                            seen.put(series, point.getAsDouble());
                        }
                    }
                }
            }
        }
        return seen;
    }

    /** The status classes of the last export's {@code route.status.*} points of {@code route}. */
    private static java.util.Set<String> statusClasses(String route) {
        java.util.Set<String> classes = new java.util.TreeSet<>();
        collector.last().getResourceMetricsList().stream().flatMap(r -> r.getScopeMetricsList().stream())
                .flatMap(s -> s.getMetricsList().stream()).filter(m -> m.getName().startsWith(
                        "undertow.bandwidth.route.status.")).flatMap(m -> m.getSum().getDataPointsList().stream())
                .forEach(point -> {
                    Map<String, String> attributes = new TreeMap<>();
                    point.getAttributesList().forEach(a -> attributes.put(a.getKey(), a.getValue().getStringValue()));
                    if (route.equals(attributes.get("http.route"))) {
                        classes.add(attributes.get("http.response.status_class"));
                    }
                });
        return classes;
    }

    private static String unit(String name) {
        return collector.last().getResourceMetricsList().stream().flatMap(r -> r.getScopeMetricsList().stream())
                .flatMap(s -> s.getMetricsList().stream()).filter(m -> m.getName().equals(name)).findFirst()
                .map(Metric::getUnit).orElse(null);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
