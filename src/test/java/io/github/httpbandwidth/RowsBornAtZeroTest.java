package io.github.httpbandwidth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What Prometheus' {@code increase()} makes of rows that are new, at the example stack's scrape interval (5 s) and row
 * hold (15 s): two masters (the ExporterTestApp under the real jmx_prometheus_javaagent 1.0.1, each in a child JVM)
 * scraped by a real Prometheus running the shipped configuration. A new client's single 3 MB upload, a first 404 on
 * an endpoint, 200 clients going through a table of 50, and the first use of a route after a restart must each be
 * counted, and the rows' series must add up to the totals' over the same window: exactly, from the stored samples
 * (counter resets taken as Prometheus takes them), and in {@code increase()} for every series still scraped at the
 * evaluation time, where Prometheus has nothing to extrapolate (their first sample is 0, their last at that time).
 */
class RowsBornAtZeroTest {

    /** The example stack's hold: three of its 5 s scrapes. */
    static final int HOLD_SECONDS = 15;
    private static final int SCRAPE_SECONDS = 5;
    private static final int CAPACITY = 50;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void everyRowsFirstExchangesAreCountedAndTheRowsAddUpToTheTotals(@TempDir Path work) throws Exception {
        Path rules = Path.of("jmx-exporter-config.yaml");
        String hold = System.getProperty("rowsBornAtZero.holdSeconds", Integer.toString(HOLD_SECONDS));
        AgentJvm a = AgentJvm.start(new AgentJvm.Launch("master", 256, CAPACITY, rules, hold));
        AgentJvm b = AgentJvm.start(new AgentJvm.Launch("master", 256, CAPACITY, rules, hold));
        try (PrometheusServer prometheus = PrometheusServer.start(work, a.metricsPort(), b.metricsPort())) {
            PrometheusApi api = prometheus.api();
            String instanceA = "127.0.0.1:" + a.metricsPort();
            String instanceB = "127.0.0.1:" + b.metricsPort();
            double start = System.currentTimeMillis() / 1000.0;
            awaitScrapeAfter(api, instanceA, start);
            awaitScrapeAfter(api, instanceB, start);

            // A new client's single upload, a known endpoint, 50 clients more than fit beside them; on b, one client.
            upload(a, "w-big", null, 3_000_000);
            get(a, "w-things", "/things/{id}", "/small");
            for (int i = 0; i < CAPACITY; i++) {
                upload(a, "c1-" + i, null, 1_000);
            }
            upload(b, "w-b1", null, 1_000_000);
            double phaseOne = System.currentTimeMillis() / 1000.0;
            awaitScrapeAfter(api, instanceA, phaseOne + SCRAPE_SECONDS + HOLD_SECONDS + 1);

            // The first 404 on that endpoint; 150 heavier clients push the first ones out of the full table.
            assertThat(get(a, "w-things", "/things/{id}", "/nope")).isEqualTo(404);
            for (int i = 0; i < 150; i++) {
                upload(a, "c2-" + i, null, 5_000);
            }
            double phaseTwo = System.currentTimeMillis() / 1000.0;
            double atA = awaitScrapeAfter(api, instanceA, phaseTwo + SCRAPE_SECONDS + HOLD_SECONDS + 1);
            String window = "[" + (long) Math.ceil(atA - start + 30) + "s]";

            assertThat(increase(api, "scheduler_http_client_bandwidth_bytes_total", instanceA,
                    "client=\"w-big\",direction=\"inbound\"", window, atA)).isEqualTo(3_000_000);
            assertThat(increase(api, "scheduler_http_endpoint_status_requests_total", instanceA,
                    "endpoint=\"/things/{id}\",status_class=\"4xx\"", window, atA)).isEqualTo(1);
            assertThat(increase(api, "scheduler_http_endpoint_requests_total", instanceA,
                    "endpoint=\"/things/{id}\"", window, atA)).isEqualTo(2);
            assertThat(increase(api, "scheduler_http_endpoint_bandwidth_bytes_total", instanceA,
                    "endpoint=\"/upload\",direction=\"inbound\"", window, atA)).isEqualTo(3_800_000);
            // Every endpoint and status class row is still scraped at atA: increase() itself adds up.
            for (String direction : List.of("inbound", "outbound")) {
                String d = "direction=\"" + direction + "\"";
                double total = increase(api, "scheduler_http_bandwidth_bytes_total", instanceA, d, window, atA);
                assertThat(sumOfIncreases(api, "scheduler_http_endpoint_bandwidth_bytes_total", instanceA, d,
                        window, atA)).as("endpoints, " + direction).isEqualTo(total);
                assertThat(sumOfIncreases(api, "scheduler_http_endpoint_status_bandwidth_bytes_total", instanceA,
                        d, window, atA)).as("status classes, " + direction).isEqualTo(total);
            }
            double requests = increase(api, "scheduler_http_requests_total", instanceA, "", window, atA);
            assertThat(requests).isEqualTo(3 + CAPACITY + 150);
            assertThat(sumOfIncreases(api, "scheduler_http_endpoint_requests_total", instanceA, "", window, atA))
                    .isEqualTo(requests);
            assertThat(sumOfIncreases(api, "scheduler_http_endpoint_status_requests_total", instanceA, "", window,
                    atA)).isEqualTo(requests);
            // Clients left the table: their series ended, so compare the stored samples (increase() would
            // extrapolate an ended series by half a scrape interval).
            assertRowsAddUp(api, instanceA, window, atA);
            assertThat(api.query("scheduler_http_client_requests_total{instance=\"" + instanceA + "\"}", atA))
                    .hasSizeLessThanOrEqualTo(CAPACITY + 1);

            // A restart on the same port; then the first use of /upload since, by a client new to this process.
            a = a.restart();
            api.awaitValue("scheduler_http_requests_total{instance=\"" + instanceA + "\"}", 0);
            upload(a, "w-after", null, 4_000_000);
            double phaseThree = System.currentTimeMillis() / 1000.0;
            double atRestart = awaitScrapeAfter(api, instanceA, phaseThree + SCRAPE_SECONDS + HOLD_SECONDS + 1);
            String longer = "[" + (long) Math.ceil(atRestart - start + 30) + "s]";
            assertThat(increase(api, "scheduler_http_endpoint_bandwidth_bytes_total", instanceA,
                    "endpoint=\"/upload\",direction=\"inbound\"", longer, atRestart)).isEqualTo(7_800_000);
            assertThat(increase(api, "scheduler_http_client_bandwidth_bytes_total", instanceA,
                    "client=\"w-after\",direction=\"inbound\"", longer, atRestart)).isEqualTo(4_000_000);
            assertThat(increase(api, "scheduler_http_bandwidth_bytes_total", instanceA, "direction=\"inbound\"",
                    longer, atRestart)).isEqualTo(3_000_000 + CAPACITY * 1_000 + 150 * 5_000 + 4_000_000);
            assertRowsAddUp(api, instanceA, longer, atRestart);

            // The other master of the fleet, at its own last scrape.
            double atB = awaitScrapeAfter(api, instanceB, phaseThree);
            assertThat(increase(api, "scheduler_http_client_bandwidth_bytes_total", instanceB,
                    "client=\"w-b1\",direction=\"inbound\"", longer, atB)).isEqualTo(1_000_000);
            assertRowsAddUp(api, instanceB, longer, atB);
        } finally {
            a.close();
            b.close();
        }
    }

    /**
     * Endpoint, status class and client rows, from the stored samples: each family's increases add up to the
     * totals' (bytes both ways, requests).
     */
    private static void assertRowsAddUp(PrometheusApi api, String instance, String window, double at)
            throws Exception {
        String[][] families = {
            {"scheduler_http_bandwidth_bytes_total", "scheduler_http_endpoint_bandwidth_bytes_total",
                "scheduler_http_endpoint_status_bandwidth_bytes_total", "scheduler_http_client_bandwidth_bytes_total"},
            {"scheduler_http_requests_total", "scheduler_http_endpoint_requests_total",
                "scheduler_http_endpoint_status_requests_total", "scheduler_http_client_requests_total"},
        };
        for (String[] family : families) {
            List<String> selectors = family[0].contains("bytes")
                    ? List.of("direction=\"inbound\"", "direction=\"outbound\"") : List.of("");
            for (String selector : selectors) {
                double total = storedIncrease(api, family[0], instance, selector, window, at);
                assertThat(total).as(family[0] + " " + selector).isPositive();
                for (int i = 1; i < family.length; i++) {
                    assertThat(storedIncrease(api, family[i], instance, selector, window, at))
                            .as(family[i] + "{" + selector + "} on " + instance).isEqualTo(total);
                }
            }
        }
    }

    /** The one series' {@code increase()} at {@code at}. */
    private static double increase(PrometheusApi api, String metric, String instance, String selector, String window,
                                   double at) throws Exception {
        String query = "increase(" + series(metric, instance, selector) + window + ")";
        List<Map<String, Object>> result = api.query(query, at);
        assertThat(result).as(query).hasSize(1);
        return Math.round(PrometheusApi.valueOf(result.get(0)) * 1e6) / 1e6;
    }

    private static double sumOfIncreases(PrometheusApi api, String metric, String instance, String selector,
                                         String window, double at) throws Exception {
        String query = "sum(increase(" + series(metric, instance, selector) + window + "))";
        List<Map<String, Object>> result = api.query(query, at);
        assertThat(result).as(query).hasSize(1);
        return Math.round(PrometheusApi.valueOf(result.get(0)) * 1e6) / 1e6;
    }

    /**
     * What the stored samples of every matching series rose by in the window, a fall taken as a reset to 0 (as
     * Prometheus takes it), without extrapolation: so a series' first sample is its starting point.
     */
    @SuppressWarnings("unchecked")
    static double storedIncrease(PrometheusApi api, String metric, String instance, String selector, String window,
                                 double at) throws Exception {
        double sum = 0;
        for (Map<String, Object> s : api.query(series(metric, instance, selector) + window, at)) {
            List<List<Object>> values = (List<List<Object>>) s.get("values");
            double previous = Double.parseDouble((String) values.get(0).get(1));
            for (List<Object> value : values.subList(1, values.size())) {
                double v = Double.parseDouble((String) value.get(1));
                sum += v >= previous ? v - previous : v;
                previous = v;
            }
        }
        return sum;
    }

    private static String series(String metric, String instance, String selector) {
        return metric + "{instance=\"" + instance + "\"" + (selector.isEmpty() ? "" : "," + selector) + "}";
    }

    /** Waits until Prometheus holds a scrape of {@code instance} taken after {@code time}; returns its time. */
    private static double awaitScrapeAfter(PrometheusApi api, String instance, double time) {
        String query = "timestamp(scheduler_http_requests_total{instance=\"" + instance + "\"})";
        double[] seen = {0};
        Await.until("a scrape of " + instance + " after " + time, Duration.ofSeconds(90), () -> {
            try {
                List<Map<String, Object>> result = api.query(query);
                seen[0] = result.size() == 1 ? PrometheusApi.valueOf(result.get(0)) : 0;
                return seen[0] > time;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        return seen[0];
    }

    private void upload(AgentJvm app, String worker, String endpoint, int size) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(app.httpBase() + "/upload"))
                .header("X-Worker-Id", worker).POST(HttpRequest.BodyPublishers.ofByteArray(new byte[size]));
        if (endpoint != null) {
            request.header("X-Test-Endpoint", HeaderClassifier.encode(endpoint));
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.body()).as("status " + response.statusCode() + " " + response.headers().map())
                .isEqualTo("n=" + size);
    }

    private int get(AgentJvm app, String worker, String endpoint, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(app.httpBase() + path)).header("X-Worker-Id", worker)
                .header("X-Test-Endpoint", HeaderClassifier.encode(endpoint)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray()).statusCode();
    }
}
