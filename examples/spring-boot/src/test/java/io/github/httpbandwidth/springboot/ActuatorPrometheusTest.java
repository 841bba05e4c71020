package io.github.httpbandwidth.springboot;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example as a Spring Boot team runs it: no javaagent, the real Prometheus (Debian's package) scraping
 * {@code /api/actuator/prometheus} with the shipped {@code examples/prometheus} configuration and recording rules,
 * and curl's own byte counts. Every endpoint row's bytes in Prometheus equal curl's, its first sample is 0 (the row
 * hold), and the shipped recording rules are answered.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        // @SpringBootTest turns metrics export off unless told; the shipped scrape interval is 5 s, the hold three of them.
        properties = {"management.prometheus.metrics.export.enabled=true", "bandwidth.name=actuator-jobs"})
class ActuatorPrometheusTest {

    private static final Path SHIPPED = Path.of("../prometheus");

    @LocalServerPort
    int port;
    @TempDir
    Path work;

    private Process prometheus;

    @AfterEach
    void stopPrometheus() throws InterruptedException {
        Children.stop(prometheus);
    }

    @Test
    void prometheusHasCurlsBytesPerEndpointThroughActuator() throws Exception {
        int prometheusPort = startPrometheus();
        // A scrape has seen the application before any traffic (the scrapes are its only exchanges so far).
        awaitTrue("a first scrape", () -> present(prometheusPort, "scheduler_http_requests_total{handler=\"actuator-jobs\"}"));

        long[] jobs = Children.curl(port, "/api/jobs/1", null);
        long[] jobs2 = Children.curl(port, "/api/jobs/22", null);
        byte[] upload = new byte[54_321];
        Path file = work.resolve("upload.bin");
        Files.write(file, upload);
        long[] posted = Children.curl(port, "/api/artifacts/a.bin", file);
        long[] missing = Children.curl(port, "/api/no/such/thing", null);
        assertThat(jobs[0]).isEqualTo(200);
        assertThat(posted[0]).isEqualTo(200);
        assertThat(missing[0]).isEqualTo(404);

        String jobsOut = "scheduler_http_endpoint_bandwidth_bytes_total{handler=\"actuator-jobs\",endpoint=\"/api/jobs/{id}\",direction=\"outbound\"}";
        String artifactsIn = "scheduler_http_endpoint_bandwidth_bytes_total{handler=\"actuator-jobs\",endpoint=\"/api/artifacts/{name}\",direction=\"inbound\"}";
        String artifactsOut = "scheduler_http_endpoint_bandwidth_bytes_total{handler=\"actuator-jobs\",endpoint=\"/api/artifacts/{name}\",direction=\"outbound\"}";
        String errorOut = "scheduler_http_endpoint_bandwidth_bytes_total{handler=\"actuator-jobs\",endpoint=\"/api/**\",direction=\"outbound\"}";
        // The rows come out of their 15 s hold; the totals at once.
        awaitValue(prometheusPort, jobsOut, jobs[2] + jobs2[2]);
        awaitValue(prometheusPort, artifactsIn, posted[1]);
        awaitValue(prometheusPort, artifactsOut, posted[2]);
        awaitValue(prometheusPort, errorOut, missing[2]);
        assertThat(posted[1]).isEqualTo(upload.length);
        // Born at zero: each row's first sample was 0, so increase() counts the first exchanges.
        assertThat(query(prometheusPort, "min_over_time(" + jobsOut + "[10m])")).isEqualTo(0);
        assertThat(query(prometheusPort, "min_over_time(" + artifactsIn + "[10m])")).isEqualTo(0);
        // The totals: the scrapes are exchanges of the application too, so the inbound total is the upload alone
        // and the outbound total is at least what curl read.
        assertThat(query(prometheusPort, "scheduler_http_bandwidth_bytes_total{handler=\"actuator-jobs\",direction=\"inbound\"}"))
                .isEqualTo(upload.length);
        // The shipped recording rules and the histogram (renamed to *_bucket by the shipped scrape config).
        awaitTrue("the shipped recording rule scheduler:http_bandwidth_bytes:rate1m",
                () -> present(prometheusPort, "scheduler:http_bandwidth_bytes:rate1m{handler=\"actuator-jobs\",direction=\"outbound\"}"));
        assertThat(query(prometheusPort,
                "scheduler_http_request_size_bytes_bucket{handler=\"actuator-jobs\",le=\"+Inf\"} - ignoring(le) scheduler_http_request_size_bytes_count{handler=\"actuator-jobs\"}"))
                .isEqualTo(0);
    }

    private int startPrometheus() throws Exception {
        String config = Files.readString(SHIPPED.resolve("prometheus.yml"));
        assertThat(config).contains("\"127.0.0.1:9090\"").contains("    static_configs:");
        config = config.replace("\"127.0.0.1:9090\"", "\"127.0.0.1:" + port + "\"")
                .replace("    static_configs:", "    metrics_path: /api/actuator/prometheus\n    static_configs:");
        Files.writeString(work.resolve("prometheus.yml"), config);
        Files.copy(SHIPPED.resolve("rules.yml"), work.resolve("rules.yml"));
        int prometheusPort = Children.freePort();
        prometheus = new ProcessBuilder("prometheus", "--config.file=" + work.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + work.resolve("data"), "--web.listen-address=127.0.0.1:" + prometheusPort)
                .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start();
        awaitTrue("Prometheus to be ready", () -> Children.get(prometheusPort, "/-/ready").statusCode() == 200);
        return prometheusPort;
    }

    private void awaitValue(int prometheusPort, String query, double expected) {
        Double[] last = {null};
        try {
            awaitTrue(query + " == " + expected, () -> {
                last[0] = queryOrNull(prometheusPort, query);
                return last[0] != null && last[0] == expected;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last value " + last[0] + "; the handler's endpoint series: "
                    + Children.get(prometheusPort, "/api/v1/query?query=" + URLEncoder.encode(
                            "scheduler_http_endpoint_bandwidth_bytes_total{handler=\"actuator-jobs\"}",
                            StandardCharsets.UTF_8)).body(), e);
        }
        assertThat(query(prometheusPort, query)).as(query).isEqualTo(expected);
    }

    private boolean present(int prometheusPort, String query) {
        return queryOrNull(prometheusPort, query) != null;
    }

    private double query(int prometheusPort, String query) {
        Double value = queryOrNull(prometheusPort, query);
        assertThat(value).as("a value for " + query).isNotNull();
        return value;
    }

    /** The one value of an instant query, or null when it returned none. */
    private Double queryOrNull(int prometheusPort, String query) {
        String body = Children.get(prometheusPort, "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)).body();
        assertThat(body).as(query).contains("\"status\":\"success\"");
        Matcher m = Pattern.compile("\"value\":\\[[0-9.]+,\"([^\"]+)\"\\]").matcher(body);
        if (!m.find()) {
            return null;
        }
        double value = Double.parseDouble(m.group(1));
        assertThat(m.find()).as("one series for " + query + ": " + body).isFalse();
        return value;
    }


    /** Polls every 200 ms for up to 60 s (the row hold is 15 s, the scrape interval 5 s). */
    private void awaitTrue(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (NullPointerException | AssertionError notYet) {
                // Prometheus not listening yet, or not yet one series
            }
            if (!prometheus.isAlive()) {
                throw new AssertionError("Prometheus exited while waiting for " + what);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 60 s: " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L);
        }
    }
}
