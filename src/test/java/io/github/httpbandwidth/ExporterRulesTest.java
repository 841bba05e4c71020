package io.github.httpbandwidth;

import io.prometheus.jmx.JmxCollector;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped jmx-exporter-config.yaml, loaded in process by the exporter's own collector. */
class ExporterRulesTest {

    static BandwidthStats stats;
    static String text;

    @BeforeAll
    static void scrape() throws Exception {
        stats = KnownTraffic.countedInto("rules-test");
        PrometheusRegistry registry = new PrometheusRegistry();
        new JmxCollector(new File("jmx-exporter-config.yaml"), JmxCollector.Mode.AGENT).register(registry);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PrometheusTextFormatWriter(false).write(out, registry.scrape());
        text = out.toString(StandardCharsets.UTF_8);
    }

    @AfterAll
    static void close() {
        stats.close();
    }

    @Test
    void everyContractMetricHasItsNameTypeHelpLabelsAndExactValue() {
        MetricsContract.assertKnownTraffic(Exposition.parse(text), "rules-test");
    }

    @Test
    void endpointLabelsCarryAnyStringExactly() {
        Exposition e = Exposition.parse(text);
        java.util.Set<String> endpoints = new java.util.HashSet<>();
        e.find("scheduler_http_endpoint_requests_total", java.util.Map.of("handler", "rules-test"))
                .forEach(s -> endpoints.add(s.labels().get("endpoint")));

        assertThat(endpoints).contains(HeaderClassifier.AWKWARD_ROWS).contains("(unmatched)", "(overflow)", "/upload");

        java.util.Set<String> withStatus = new java.util.HashSet<>();
        e.find("scheduler_http_endpoint_status_requests_total", java.util.Map.of("handler", "rules-test",
                "status_class", "2xx")).forEach(s -> withStatus.add(s.labels().get("endpoint")));
        assertThat(withStatus).contains(HeaderClassifier.AWKWARD_ROWS).contains("/upload");
    }

    @Test
    void listenerWireFiguresAreExportedAndEndpointMBeansAreOutsideTheScrape() throws Exception {
        BandwidthStats wired = BandwidthStats.builder().name("rules-wire").build();
        wired.registerMBean(java.lang.management.ManagementFactory.getPlatformMBeanServer());
        io.undertow.Undertow undertow = io.undertow.Undertow.builder().addHttpListener(0, "127.0.0.1")
                .setServerOption(io.undertow.UndertowOptions.ENABLE_STATISTICS, true)
                .setHandler(new BandwidthHandler(wired, TestRoutes.basic())).build();
        undertow.start();
        try {
            String listener = wired.watchListeners(undertow).get(0);
            java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                    "http://127.0.0.1:" + listener.substring(listener.lastIndexOf('-') + 1) + "/small")).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding());
            ListenerSnapshot wire = Await.completed(wired, 1).listeners().get(0);

            PrometheusRegistry registry = new PrometheusRegistry();
            new JmxCollector(new File("jmx-exporter-config.yaml"), JmxCollector.Mode.AGENT).register(registry);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new PrometheusTextFormatWriter(false).write(out, registry.scrape());
            Exposition e = Exposition.parse(out.toString(StandardCharsets.UTF_8));
            java.util.Map<String, String> labels = java.util.Map.of("handler", "rules-wire", "listener", listener);
            assertThat(e.value("scheduler_http_wire_bytes_total", MetricsContract.with(labels, "direction", "inbound")))
                    .isEqualTo(wire.wireBytesReceived());
            assertThat(e.value("scheduler_http_wire_bytes_total", MetricsContract.with(labels, "direction", "outbound")))
                    .isEqualTo(wire.wireBytesSent());
            assertThat(e.value("scheduler_http_wire_requests_total", labels)).isEqualTo(1);
        } finally {
            undertow.stop();
            wired.close();
        }

        // The per-endpoint MBeans, quoted names too, are outside what the shipped rules read; the handler's and
        // the listener's MBeans are inside.
        String yaml = java.nio.file.Files.readString(java.nio.file.Path.of("jmx-exporter-config.yaml"));
        String include = yaml.replaceAll("(?s).*includeObjectNames:\\s*\n\\s*- \"([^\"]+)\".*", "$1");
        javax.management.ObjectName pattern = new javax.management.ObjectName(include);
        for (String endpoint : HeaderClassifier.AWKWARD_ROWS) {
            assertThat(pattern.apply(MBeanPublisher.endpointName("x", endpoint))).as(endpoint).isFalse();
        }
        assertThat(pattern.apply(MBeanPublisher.consoleName("x", ConsoleMBean.SIZES))).isFalse();
        assertThat(pattern.apply(MBeanPublisher.consoleName("x", ConsoleMBean.TRANSFERS))).isFalse();
        assertThat(pattern.apply(MBeanPublisher.objectName("x"))).isTrue();
        assertThat(pattern.apply(MBeanPublisher.listenerName("x", "http-127.0.0.1-8080"))).isTrue();
    }

    /**
     * The agent 1.0.1 (and every collector before 1.3.0) tries the rules in order until one matches, and every try
     * is a lookup of the whole pattern string in its per-rule cache: the cost of a scrape at the caps is set by how
     * many tries its samples take, which the collector itself counts (jmx_scrape_cached_beans). The rules come in
     * the order of how many samples they take, so ten more endpoints answered with two status classes (20
     * status-class rows and 10 endpoint rows, three samples each) cost 20 x (1 + 2 + 3) + 10 x (4 + 5 + 6) more
     * tries: the status-class rules first, then the endpoint rules. From 1.3.0 on (the compatibility matrix runs
     * 1.6.0 and 1.7.0) the cache holds one entry per sample whatever the order, and jmx_scrape_cached_beans counts
     * samples: 30 x 3 more.
     */
    @Test
    void rulesAreTriedInTheOrderOfHowManySamplesTheyTake() throws Exception {
        BandwidthStats tries = BandwidthStats.builder().name("rule-tries").classifier(new HeaderClassifier()).build();
        tries.registerMBean(java.lang.management.ManagementFactory.getPlatformMBeanServer());
        java.nio.file.Path rules = java.nio.file.Files.createTempFile("rule-tries", ".yaml");
        java.nio.file.Files.writeString(rules, java.nio.file.Files.readString(java.nio.file.Path.of(
                "jmx-exporter-config.yaml")).replace("\"io.github.httpbandwidth:type=BandwidthStats,*\"",
                "\"io.github.httpbandwidth:type=BandwidthStats,name=rule-tries,*\""));
        try (TestServer server = TestServer.start(new BandwidthHandler(tries, TestRoutes.basic()))) {
            endpointsWithTwoClasses(server.port(), 0, 10);
            Await.completed(tries, 20);
            long before = triesOfOneScrape(rules);
            endpointsWithTwoClasses(server.port(), 10, 20);
            Await.completed(tries, 40);
            long after = triesOfOneScrape(rules);

            if (collectorCachesPerRule()) {
                assertThat(after - before).isEqualTo(20 * (1 + 2 + 3) + 10 * (4 + 5 + 6));
            } else {
                assertThat(after - before).isEqualTo(30 * 3);
            }
        } finally {
            tries.close();
            java.nio.file.Files.delete(rules);
        }
    }

    /** Whether the collector on the class path keeps its rule cache per rule (before 1.3.0) or per sample. */
    private static boolean collectorCachesPerRule() {
        try {
            Class.forName("io.prometheus.jmx.MatchedRulesCache$CacheKey");
            return false;
        } catch (ClassNotFoundException perRule) {
            return true;
        }
    }

    /** Endpoints /tries/from .. /tries/(to - 1), each answered once with 200 and once with 404. */
    private static void endpointsWithTwoClasses(int port, int from, int to) throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        for (int i = from; i < to; i++) {
            for (String path : new String[] {"/small", "/no-such-route"}) {
                java.net.http.HttpResponse<Void> response = client.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + port + path))
                        .header(HeaderClassifier.HEADER.toString(), "/tries/" + i).build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding());
                assertThat(response.statusCode()).isEqualTo(path.equals("/small") ? 200 : 404);
            }
        }
    }

    /** The tries of one collection, as the collector reports them on the scrape after it. */
    private static long triesOfOneScrape(java.nio.file.Path rules) throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        new JmxCollector(rules.toFile(), JmxCollector.Mode.AGENT).register(registry);
        registry.scrape();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PrometheusTextFormatWriter(false).write(out, registry.scrape());
        return (long) Exposition.parse(out.toString(StandardCharsets.UTF_8)).value("jmx_scrape_cached_beans",
                java.util.Map.of());
    }
}
