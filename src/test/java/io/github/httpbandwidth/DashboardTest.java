package io.github.httpbandwidth;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Grafana dashboard as shipped: a valid Grafana model, only metric names the shipped rules produce, and every
 * panel's every query answered with plausible data by a real Prometheus that scraped the example stack after
 * traffic of known sizes.
 */
class DashboardTest {

    private static final long GIB = 1L << 30;

    @TempDir
    static Path work;
    static ExampleStack stack;
    static GrafanaDashboard dashboard;
    /** When Prometheus had sampled all the traffic, in seconds since the epoch: the panels are evaluated there. */
    static double evaluationTime;

    @BeforeAll
    static void scrapeKnownTraffic() throws Exception {
        dashboard = GrafanaDashboard.load();
        stack = ExampleStack.start(work, Map.of());
        Files.write(work.resolve("small.bin"), new byte[KnownTraffic.SMALL_UPLOAD]);
        Files.write(work.resolve("large.bin"), new byte[KnownTraffic.LARGE_UPLOAD]);
        PrometheusApi prometheus = stack.prometheus();

        // Before Prometheus' sample: the same uploads (so no bucket starts from zero in the window), some reads.
        uploads();
        stack.curl("-o /dev/null " + stack.masterUrl("/artifacts/large-0.bin"));
        stack.curl("-o /dev/null " + stack.masterUrl("/jobs"));
        unauthorized();
        long before = (long) stack.metric("scheduler_http_requests_total", Map.of());
        prometheus.awaitValue("scheduler_http_requests_total{handler=\"master\"}", before);
        // The rows those made are new: each shows 0 for the master's row hold (15 s), then its counts. Wait until
        // Prometheus holds every endpoint, status class and client row past it, so the rate panels see them rise.
        for (String rows : List.of("scheduler_http_endpoint_requests_total", "scheduler_http_endpoint_status_requests_total",
                "scheduler_http_client_requests_total")) {
            String query = "sum(" + rows + "{handler=\"master\"})";
            Await.until(query + " == " + before, java.time.Duration.ofSeconds(40), () -> {
                try {
                    List<Map<String, Object>> result = prometheus.query(query);
                    return result.size() == 1 && PrometheusApi.valueOf(result.get(0)) == before;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }

        // The fleet's top-client bounds (recording rules, evaluated every 5 s) with those rows past their hold.
        Await.until("scheduler_fleet:http_client_bytes:lower above 0", () -> {
            try {
                List<Map<String, Object>> result = prometheus.query("sum(scheduler_fleet:http_client_bytes:lower)");
                return result.size() == 1 && PrometheusApi.valueOf(result.get(0)) > 0;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        uploads();
        unauthorized();
        long after = before + KnownTraffic.UPLOADS + 1;
        prometheus.awaitValue("scheduler_http_requests_total{handler=\"master\"}", after);
        evaluationTime = PrometheusApi.valueOf(prometheus.query(
                "timestamp(scheduler_http_requests_total{handler=\"master\"})").get(0)) + 1;
    }

    @AfterAll
    static void stop() throws Exception {
        stack.close();
    }

    /** A request without the API key: a 401, for the panels of error responses. */
    private static void unauthorized() throws Exception {
        Shell.Result r = Shell.run(work, Map.of(), "curl -sk -o /dev/null -w '%{http_code}' " + stack.masterUrl("/jobs"), 60);
        assertThat(r.output().trim()).isEqualTo("401");
    }

    /** 11 uploads of 3000 bytes and 9 of 100000: request sizes in (1024, 4096] and (65536, 262144]. */
    private static void uploads() throws Exception {
        for (int i = 0; i < KnownTraffic.UPLOADS; i++) {
            boolean small = i < KnownTraffic.SMALL_UPLOADS;
            stack.curl("-o /dev/null -T " + (small ? "small.bin " : "large.bin ")
                    + stack.masterUrl("/artifacts/" + (small ? "small-" : "large-") + i + ".bin"));
        }
    }

    @Test
    void isAValidGrafanaDashboardModel() {
        Map<String, Object> model = dashboard.model;
        assertThat(model).containsKeys("title", "uid", "schemaVersion", "panels", "templating", "time");
        assertThat(((Number) model.get("schemaVersion")).intValue()).isGreaterThanOrEqualTo(36);
        Set<Object> ids = new HashSet<>();
        for (Map<String, Object> panel : dashboard.panels()) {
            String title = (String) panel.get("title");
            assertThat(ids.add(panel.get("id"))).as("unique id for " + title).isTrue();
            @SuppressWarnings("unchecked")
            Map<String, Object> grid = (Map<String, Object>) panel.get("gridPos");
            assertThat(grid).as("gridPos of " + title).containsKeys("h", "w", "x", "y");
            if ("row".equals(panel.get("type"))) {
                continue;
            }
            assertThat(panel.get("datasource")).as("datasource of " + title)
                    .isEqualTo(Map.of("type", "prometheus", "uid", "${datasource}"));
            for (Map<String, Object> target : GrafanaDashboard.targets(panel)) {
                assertThat(target.get("datasource")).isEqualTo(Map.of("type", "prometheus", "uid", "${datasource}"));
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> defaults = (Map<String, Object>) ((Map<String, Object>) panel.get("fieldConfig")).get("defaults");
            assertThat((String) defaults.get("unit")).as("unit of " + title).isNotBlank();
            assertThat(GrafanaDashboard.targets(panel)).as("targets of " + title).isNotEmpty();
        }
        assertThat(dashboard.panels()).extracting(p -> p.get("title")).contains("Bandwidth (Total)",
                "Request Size Distribution", "Response Size Distribution", "Request/Response Size Percentiles",
                "Total Bandwidth I/O", "Outbound Bandwidth", "Bandwidth by Endpoint", "Requests per Second",
                "Requests in Flight", "Average Body Size", "Requests on the Overflow Endpoint Row");
        assertThat(dashboard.variables()).extracting(v -> v.get("name"))
                .containsExactly("datasource", "job", "instance", "handler");
        assertThat(dashboard.variables().get(0)).containsEntry("type", "datasource").containsEntry("query", "prometheus");
    }

    @Test
    void usesOnlyMetricNamesTheShippedRulesProduce() throws Exception {
        Set<String> produced = RulesFile.namesProduced(Path.of("jmx-exporter-config.yaml"));

        assertThat(dashboard.metricNames()).isNotEmpty();
        assertThat(produced).containsAll(dashboard.metricNames());
        for (String name : dashboard.metricNames()) {
            assertThat(stack.prometheus().query("count({__name__=\"" + name + "\"})")).as(name + " in Prometheus").hasSize(1);
        }
    }

    @Test
    void variableQueriesFindTheExample() throws Exception {
        PrometheusApi p = stack.prometheus();
        assertThat(p.labelValues("job", "scheduler_http_requests_total")).contains("scheduler-master");
        assertThat(p.labelValues("instance", "scheduler_http_requests_total{job=~\"scheduler-master\"}"))
                .containsExactly("127.0.0.1:" + stack.metricsPort);
        assertThat(p.labelValues("handler", "scheduler_http_requests_total{job=~\"scheduler-master\",instance=~\".*\"}"))
                .containsExactly("master");
    }

    @Test
    void everyPanelQueryReturnsPlausibleData() throws Exception {
        // Grafana, with the data source's 5 s scrape interval: $__rate_interval = max($__interval + 5s, 4 * 5s).
        Map<String, String> values = Map.of("__rate_interval", "20s", "__interval", "5s", "__range", "5m",
                "job", "scheduler-master", "instance", ".*", "handler", ".*");
        for (Map<String, Object> panel : dashboard.panels()) {
            Map<String, String> panelValues = GrafanaDashboard.panelValues(panel, values);
            for (Map<String, Object> target : GrafanaDashboard.targets(panel)) {
                String title = panel.get("title") + " / " + target.get("refId");
                String query = GrafanaDashboard.expand((String) target.get("expr"), panelValues);
                List<Map<String, Object>> result = stack.prometheus().query(query, evaluationTime);
                assertThat(result).as(title + ": " + query).isNotEmpty();
                double max = 0;
                for (Map<String, Object> series : result) {
                    double v = PrometheusApi.valueOf(series);
                    assertThat(v).as(title).isFinite().isBetween(0.0, (double) GIB);
                    max = Math.max(max, v);
                }
                String titleOnly = (String) panel.get("title");
                if (!titleOnly.contains("Overflow") && !titleOnly.contains("in Flight")) {
                    assertThat(max).as(title + " shows the traffic").isPositive();
                }
            }
        }
    }

    @Test
    void percentilesFallInTheBucketsOfTheKnownSizes() throws Exception {
        // The percentile panel's queries over a window that holds all the measured uploads.
        Map<String, String> values = Map.of("__rate_interval", "2m", "__interval", "5s", "__range", "5m",
                "job", "scheduler-master", "instance", ".*", "handler", ".*");
        Map<String, Object> panel = dashboard.panels().stream()
                .filter(p -> "Request/Response Size Percentiles".equals(p.get("title"))).findFirst().orElseThrow();
        for (Map<String, Object> target : GrafanaDashboard.targets(panel)) {
            String expr = (String) target.get("expr");
            double v = stack.prometheus().single(GrafanaDashboard.expand(expr, values));
            String legend = (String) target.get("legendFormat");
            if (legend.equals("request p50")) {
                assertThat(v).as(legend).isGreaterThan(1024).isLessThanOrEqualTo(4096);
            } else if (legend.startsWith("request")) {
                assertThat(v).as(legend).isGreaterThan(65536).isLessThanOrEqualTo(262144);
            } else if (legend.equals("response p50")) {
                assertThat(v).as(legend + ": the JSON answers to the uploads").isGreaterThan(16).isLessThanOrEqualTo(64);
            } else {
                // The top ranks also hold the 401's JSON answer, in (64, 128].
                assertThat(v).as(legend + ": the JSON answers to the uploads and the 401")
                        .isGreaterThan(16).isLessThanOrEqualTo(128);
            }
        }
    }

    @Test
    void heatmapCellsAddUpToTheExchangesInTheRange() throws Exception {
        for (String title : List.of("Request Size Distribution", "Response Size Distribution")) {
            Map<String, Object> panel = dashboard.panels().stream().filter(p -> title.equals(p.get("title")))
                    .findFirst().orElseThrow();
            String interval = (String) panel.get("interval");
            assertThat(interval).as(title + ": a minimum interval, so windows tile the range").isEqualTo("1m");
            String expr = GrafanaDashboard.expand((String) GrafanaDashboard.targets(panel).get(0).get("expr"),
                    Map.of("__interval", interval, "job", "scheduler-master", "instance", ".*", "handler", ".*"));
            // Grafana evaluates the query once per step of $__interval, and turns each step's cumulative buckets
            // into cells (format: heatmap): a step's cells add up to its +Inf bucket.
            double cells = 0;
            for (int step = 0; step < 10; step++) {
                for (Map<String, Object> bucket : stack.prometheus().query(expr, evaluationTime - 60.0 * step)) {
                    if ("+Inf".equals(PrometheusApi.labelsOf(bucket).get("le"))) {
                        cells += PrometheusApi.valueOf(bucket);
                    }
                }
            }
            // The steps cover the series' whole life, so the cells hold every exchange the master counted.
            String series = title.startsWith("Request") ? "scheduler_http_request_size_bytes_count"
                    : "scheduler_http_response_size_bytes_count";
            double counted = PrometheusApi.valueOf(stack.prometheus().query(series + "{handler=\"master\"}", evaluationTime).get(0));
            assertThat(counted).isPositive();
            assertThat(cells).as(title + ": cells against the exchanges counted").isEqualTo(counted);
        }
    }

    /**
     * File provisioning does not replace import placeholders (a ${DS_...} would stay literal), so there are none: the
     * Data source variable starts empty, which Grafana fills with its default Prometheus data source, whether the
     * dashboard is provisioned or imported, and every panel reads its data source from that variable.
     */
    @Test
    void provisioningAndImportNeedNoPlaceholder() throws Exception {
        assertThat(dashboard.model).doesNotContainKey("__inputs");
        assertThat(Files.readString(Path.of("grafana/distributed-scheduler.json"))).doesNotContain("${DS_");
        Map<String, Object> variable = dashboard.variables().get(0);
        assertThat(variable).containsEntry("type", "datasource").containsEntry("query", "prometheus")
                .containsEntry("current", Map.of());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> panels = (List<Map<String, Object>>) dashboard.model.get("panels");
        assertThat(panels).filteredOn(panel -> panel.get("targets") != null).isNotEmpty()
                .allSatisfy(panel -> assertThat(panel.get("datasource"))
                        .isEqualTo(Map.of("type", "prometheus", "uid", "${datasource}")));
    }
}
