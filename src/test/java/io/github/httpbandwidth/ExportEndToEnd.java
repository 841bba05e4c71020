package io.github.httpbandwidth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The end-to-end checks every export path passes: the agent's and the in-process exporter's. */
final class ExportEndToEnd {

    private ExportEndToEnd() {
    }

    /** Where the metrics are served, and how to read them once. */
    interface Exporter {
        String scrape() throws Exception;

        int port();
    }

    /**
     * Known traffic through {@code httpBase}, whose handler {@code handler} is exported by {@code exporter}: the
     * scrape holds the metrics contract, passes {@code promtool check metrics}, and a real Prometheus on the
     * shipped configuration answers the queries the guide and the dashboard use.
     */
    static void run(Path work, String httpBase, String handler, Exporter exporter) throws Exception {
        String h = "handler=\"" + handler + "\"";
        KnownTraffic traffic = new KnownTraffic(httpBase);
        traffic.awkwardGets();
        traffic.uploads();
        long requests = KnownTraffic.AWKWARD_GETS + KnownTraffic.UPLOADS;
        Await.until("the exporter to show all " + requests + " requests", () -> scrapeRequests(exporter, handler) == requests);

        String text = exporter.scrape();
        MetricsContract.assertKnownTraffic(Exposition.parse(text), handler);
        Promtool.Result lint = Promtool.run(text, "check", "metrics");
        assertThat(lint.output()).as("promtool check metrics").isEmpty();
        assertThat(lint.exitCode()).isZero();

        try (PrometheusServer prometheus = PrometheusServer.start(work, exporter.port())) {
            // A first sample, then the same uploads again: rate() and histogram_quantile see them as the
            // increase. (Sending them before the first sample too keeps rate()'s extrapolation alike for
            // every bucket; a bucket that starts at 0 would be extrapolated less than its neighbours.)
            prometheus.api().awaitValue("scheduler_http_requests_total{" + h + "}", requests);
            traffic.uploads();
            prometheus.api().awaitValue("scheduler_http_requests_total{" + h + "}", requests + KnownTraffic.UPLOADS);
            // And on the row (its own MBean, which a scrape may read before the totals' MBean): a scrape that took
            // the row just before the last upload completed and the totals just after shows the row one short.
            prometheus.api().awaitValue("scheduler_http_endpoint_bandwidth_bytes_total{" + h
                    + ",endpoint=\"/upload\",direction=\"inbound\"}", 2 * KnownTraffic.UPLOAD_BYTES_IN);
            assertPrometheusAnswers(prometheus.api(), h);
        }
    }

    private static void assertPrometheusAnswers(PrometheusApi p, String H) throws Exception {
        assertThat(p.single("scheduler_http_bandwidth_bytes_total{" + H + ",direction=\"inbound\"}"))
                .isEqualTo(2 * KnownTraffic.UPLOAD_BYTES_IN);
        assertThat(p.single("scheduler_http_bandwidth_bytes_total{" + H + ",direction=\"outbound\"}"))
                .isEqualTo(KnownTraffic.AWKWARD_BYTES_OUT + 2 * KnownTraffic.UPLOAD_BYTES_OUT);
        assertThat(p.single("rate(scheduler_http_bandwidth_bytes_total{" + H + ",direction=\"inbound\"}[1m])"))
                .isPositive();
        assertThat(p.single("rate(scheduler_http_bandwidth_bytes_total{" + H + ",direction=\"outbound\"}[1m])"))
                .isPositive();

        // The relabel rule in the shipped prometheus.yml gives the buckets their standard name.
        assertThat(p.single("count(scheduler_http_request_size_bytes_bucket{" + H + "})")).isEqualTo(33);
        assertThat(p.query("scheduler_http_request_size_bytes{" + H + "}")).isEmpty();
        // Since the first sample: 11 uploads of 3000 bytes, in (1024, 4096], and 9 of 100000, in (65536, 262144].
        String requestRate = "sum by (le) (rate(scheduler_http_request_size_bytes_bucket{" + H + "}[1m]))";
        assertThat(p.single("histogram_quantile(0.5, " + requestRate + ")")).isGreaterThan(1024).isLessThanOrEqualTo(4096);
        assertThat(p.single("histogram_quantile(0.95, " + requestRate + ")")).isGreaterThan(65536)
                .isLessThanOrEqualTo(262144);
        // Their answers, n=3000 and n=100000, are 6 and 8 bytes: in (4, 16].
        String responseRate = "sum by (le) (rate(scheduler_http_response_size_bytes_bucket{" + H + "}[1m]))";
        assertThat(p.single("histogram_quantile(0.5, " + responseRate + ")")).isGreaterThan(4).isLessThanOrEqualTo(16);
        assertThat(p.single("histogram_quantile(0.95, " + responseRate + ")")).isGreaterThan(4).isLessThanOrEqualTo(16);

        List<Map<String, Object>> endpoints = p.query("scheduler_http_endpoint_requests_total{" + H + "}");
        Set<String> names = new HashSet<>();
        for (Map<String, Object> series : endpoints) {
            names.add(PrometheusApi.labelsOf(series).get("endpoint"));
        }
        assertThat(names).containsExactlyInAnyOrder(allEndpoints());
        assertThat(p.single("scheduler_http_endpoint_bandwidth_bytes_total{" + H + ",endpoint=\"/upload\",direction=\"inbound\"}"))
                .isEqualTo(2 * KnownTraffic.UPLOAD_BYTES_IN);
        for (String name : HeaderClassifier.AWKWARD_ROWS) {
            assertThat(p.single("scheduler_http_endpoint_bandwidth_bytes_total{" + H + ",endpoint=" + promqlString(name)
                    + ",direction=\"outbound\"}")).as(name).isEqualTo(TestRoutes.SMALL_SIZE);
        }
    }

    private static String[] allEndpoints() {
        Set<String> all = new HashSet<>(List.of(HeaderClassifier.AWKWARD_ROWS));
        all.addAll(List.of("/upload", "(unmatched)", "(overflow)"));
        return all.toArray(new String[0]);
    }

    /** A PromQL string literal: backslash, quote and newline escaped. */
    private static String promqlString(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }

    private static double scrapeRequests(Exporter exporter, String handler) {
        try {
            List<Exposition.Sample> found = Exposition.parse(exporter.scrape())
                    .find("scheduler_http_requests_total", Map.of("handler", handler));
            return found.isEmpty() ? -1 : found.get(0).value();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
