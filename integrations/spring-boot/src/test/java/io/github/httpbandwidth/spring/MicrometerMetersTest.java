package io.github.httpbandwidth.spring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.httpbandwidth.BandwidthSnapshot;
import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.testapp.TestApplication;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Without a Prometheus registry (Actuator's default, Micrometer's simple registry, as with an OTLP or Datadog one), the
 * figures are Micrometer meters: {@code /actuator/metrics} shows every route's, status class's and top client's bytes
 * and requests exactly, under the OpenTelemetry rules' names.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "management.endpoints.web.exposure.include=metrics",
                "management.prometheus.metrics.export.enabled=false", "bandwidth.name=meters",
                "bandwidth.client-key=header:X-Worker-Id", "bandwidth.row-hold=0s"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MicrometerMetersTest {

    @LocalServerPort
    int port;
    @Autowired
    BandwidthStats stats;
    @Autowired
    MeterRegistry registry;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ObjectMapper json = new ObjectMapper();

    /** First: its figures are exact from the context's start (the other test's exchanges come after). */
    @Test
    @Order(1)
    void actuatorMetricsShowsEveryRowExactly() throws Exception {
        long jobsSent = 0;
        for (int i = 0; i < 3; i++) {
            jobsSent += send(HttpRequest.newBuilder(uri("/jobs/" + i)).header("X-Worker-Id", "w-1"), 200);
        }
        jobsSent += send(HttpRequest.newBuilder(uri("/jobs/conflict")).header("X-Worker-Id", "w-1"), 409);
        send(HttpRequest.newBuilder(uri("/artifacts/a.bin")).header("X-Worker-Id", "w-2")
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[7_777])), 200);
        BandwidthSnapshot s = Await.completed(stats, 5);
        assertThat(s.endpoint("/jobs/{id}").bytesSent()).isEqualTo(jobsSent);

        // Actuator's own requests are exchanges too, with no body and no X-Worker-Id: the figures below stay put. A
        // row's MBean reads a snapshot at most a second old, so each is waited for (20 s at most).
        expect(7_777, "undertow.bandwidth.body.io", "network.io.direction:receive");
        expect(jobsSent, "undertow.bandwidth.route.body.io", "http.route:/jobs/{id}", "network.io.direction:transmit");
        expect(7_777, "undertow.bandwidth.route.body.io", "http.route:/artifacts/{name}", "network.io.direction:receive");
        expect(4, "undertow.bandwidth.route.requests", "http.route:/jobs/{id}");
        expect(1, "undertow.bandwidth.route.status.requests", "http.route:/jobs/{id}", "http.response.status_class:4xx");
        expect(3_000, "undertow.bandwidth.route.status.body.io", "http.route:/jobs/{id}",
                "http.response.status_class:2xx", "network.io.direction:transmit");
        expect(7_777, "undertow.bandwidth.request.body.size.sum");
        // Client rows come and go with the table: their meters follow their MBeans, which a read brings up to date.
        expect(4, "undertow.bandwidth.client.requests", "client:w-1");
        expect(7_777, "undertow.bandwidth.client.body.io", "client:w-2", "network.io.direction:receive");
        assertThat(value("undertow.bandwidth.requests.active", "VALUE")).isGreaterThanOrEqualTo(0);

        // Only the status classes a route answered with have meters, as the OpenTelemetry agent gives series only for
        // them (the row MBean's attribute of a class not seen has no value) and the JMX exporter's rows only them.
        assertThat(classesWithMeters("/jobs/{id}")).containsExactlyInAnyOrder("2xx", "4xx");
        assertThat(classesWithMeters("/artifacts/{name}")).containsExactly("2xx");
        // A class first seen later gets its meters then, exact (each read of the route's meters looks for new ones).
        send(HttpRequest.newBuilder(uri("/jobs/boom")), 500);
        expect(5, "undertow.bandwidth.route.requests", "http.route:/jobs/{id}");
        expect(1, "undertow.bandwidth.route.status.requests", "http.route:/jobs/{id}", "http.response.status_class:5xx");
        assertThat(classesWithMeters("/jobs/{id}")).containsExactlyInAnyOrder("2xx", "4xx", "5xx");
    }

    /** The status classes of the route's {@code route.status.*} meters: each class has all three or none. */
    private Set<String> classesWithMeters(String route) {
        Set<String> classes = new HashSet<>();
        for (String name : new String[] {"undertow.bandwidth.route.status.requests",
                "undertow.bandwidth.route.status.body.io"}) {
            Set<String> these = registry.find(name).tag("http.route", route).meters().stream()
                    .map(meter -> meter.getId().getTag("http.response.status_class")).collect(Collectors.toSet());
            assertThat(registry.find(name).tag("http.route", route).meters())
                    .hasSize(name.endsWith("requests") ? these.size() : 2 * these.size());
            if (name.endsWith("requests")) {
                classes.addAll(these);
            } else {
                assertThat(these).isEqualTo(classes);
            }
        }
        return classes;
    }

    /** Every meter's name is one the OpenTelemetry rules give, so the two readers' series are the same. */
    @Test
    @Order(2)
    void theMetersHaveTheOpenTelemetryRulesNames() throws Exception {
        // A route with a status class, whose meters come at a read of the route's meters after the exchange.
        send(HttpRequest.newBuilder(uri("/jobs/names")), 200);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (registry.find("undertow.bandwidth.route.status.body.io").meters().isEmpty()
                && System.nanoTime() < deadline) {
            metric("undertow.bandwidth.route.requests", "http.route:/jobs/{id}");
            LockSupport.parkNanos(100_000_000);
        }
        Set<String> otel = new HashSet<>();
        String prefix = null;
        Matcher line = Pattern.compile("^\\s*(prefix|metric):\\s*(\\S+)\\s*$", Pattern.MULTILINE)
                .matcher(Files.readString(Path.of("../opentelemetry/bandwidth-otel-rules.yaml")));
        while (line.find()) {
            if (line.group(1).equals("prefix")) {
                prefix = line.group(2);
            } else {
                otel.add(prefix + line.group(2));
            }
        }
        Set<String> meters = registry.getMeters().stream().map(meter -> meter.getId().getName())
                .filter(name -> name.startsWith("undertow.bandwidth.")).collect(Collectors.toSet());
        assertThat(meters).contains("undertow.bandwidth.body.io", "undertow.bandwidth.route.status.body.io");
        assertThat(otel).containsAll(meters);
        Set<String> tags = registry.getMeters().stream().filter(meter -> meter.getId().getName()
                .startsWith("undertow.bandwidth.")).flatMap(meter -> meter.getId().getTags().stream())
                .map(tag -> tag.getKey()).collect(Collectors.toSet());
        assertThat(tags).isSubsetOf("handler", "network.io.direction", "http.route", "http.response.status_class",
                "client");
        assertThat(registry.getMeters().stream().map(Meter::getId).filter(id -> id.getName()
                .startsWith("undertow.bandwidth.")).map(id -> id.getTag("handler"))).containsOnly("meters");
    }

    private long send(HttpRequest.Builder request, int status) throws Exception {
        HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(status);
        return response.body().length;
    }

    /** Waits (20 s at most) for the meter to read {@code expected}; a meter that is not there yet reads -1. */
    private void expect(long expected, String name, String... tags) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        long read = read(name, tags);
        while (read != expected && System.nanoTime() < deadline) {
            LockSupport.parkNanos(100_000_000);
            read = read(name, tags);
        }
        assertThat(read).as(name + " " + String.join(",", tags)).isEqualTo(expected);
    }

    private long read(String name, String... tags) throws Exception {
        return metric(name, tags).statusCode() == 404 ? -1 : (long) value(name, "COUNT", tags);
    }

    private double value(String name, String statistic, String... tags) throws Exception {
        HttpResponse<String> response = metric(name, tags);
        assertThat(response.statusCode()).as(name + " " + String.join(",", tags)).isEqualTo(200);
        for (JsonNode measurement : json.readTree(response.body()).get("measurements")) {
            if (measurement.get("statistic").asText().equals(statistic)) {
                return measurement.get("value").asDouble();
            }
        }
        throw new AssertionError("no " + statistic + " in " + response.body());
    }

    private HttpResponse<String> metric(String name, String... tags) throws Exception {
        StringBuilder query = new StringBuilder();
        for (String tag : tags) {
            query.append(query.length() == 0 ? "?" : "&").append("tag=").append(URLEncoder.encode(tag,
                    StandardCharsets.UTF_8));
        }
        return client.send(HttpRequest.newBuilder(uri("/actuator/metrics/" + name + query)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
