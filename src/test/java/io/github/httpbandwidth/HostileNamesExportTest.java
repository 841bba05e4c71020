package io.github.httpbandwidth;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Client keys and endpoint names that look like the exporter's pattern strings ({@code w1><Clients>bytesReceived: 0},
 * {@code <cache>}, {@code , endpoint=}, quotes, backslashes, line breaks) each yield exactly their own series, in
 * every reader the project ships rules for: the exporter's collector in process (the agent's version here, 1.6.0
 * and 1.7.0 in {@code .ci/compat-matrix}), the renamed rules of {@code examples/rename-metrics.sh}, and the real
 * agent in a child JVM. Every row is compared with what was sent and read back, and with the handler's snapshot.
 */
class HostileNamesExportTest {

    private static final int NAMES = 1500;
    private static final int CLIENTS = 400;
    private static final String HANDLER = "hostile";

    @TempDir
    static Path work;
    static BandwidthStats stats;
    static HostileTraffic sent;

    @BeforeAll
    static void traffic() throws Exception {
        stats = BandwidthStats.builder().name(HANDLER).endpointCap(NAMES).classifier(new HeaderClassifier())
                .clientKey(ClientKey.header("X-Worker-Id")).clientCapacity(ClientTable.MAX_CAPACITY).build();
        stats.registerMBean(ManagementFactory.getPlatformMBeanServer());
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, TestRoutes.basic()))) {
            sent = HostileTraffic.send(server.port(), HostileTraffic.endpointNames(19, NAMES),
                    HostileTraffic.clientKeys(23, CLIENTS));
            Await.completed(stats, NAMES);
        }
    }

    @AfterAll
    static void close() {
        stats.close();
    }

    @Test
    void rulesShippedGiveEachNameItsOwnSeries() throws Exception {
        String text = RulesFile.scrape(Path.of("jmx-exporter-config.yaml"));
        assertEachRowExact(text, HANDLER, "scheduler_http", sent);
        assertMatchesSnapshot(Exposition.parse(text), "scheduler_http", stats.snapshot());
    }

    @Test
    void rulesRenamedGiveEachNameItsOwnSeries() throws Exception {
        Path out = work.resolve("renamed");
        Shell.Result result = Shell.run(Path.of("").toAbsolutePath(), Map.of(),
                "examples/rename-metrics.sh --prefix http_server_body --out " + out, 60);
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertEachRowExact(RulesFile.scrape(out.resolve("jmx-exporter-config.yaml")), HANDLER, "http_server_body", sent);
    }

    @Test
    void theRealAgentGivesEachNameItsOwnSeries() throws Exception {
        try (AgentJvm app = AgentJvm.start("hostile-agent", NAMES, ClientTable.MAX_CAPACITY,
                Path.of("jmx-exporter-config.yaml"))) {
            int port = Integer.parseInt(app.httpBase().substring(app.httpBase().lastIndexOf(':') + 1));
            HostileTraffic agentSent = HostileTraffic.send(port, HostileTraffic.endpointNames(29, NAMES),
                    HostileTraffic.clientKeys(31, CLIENTS));
            String[] text = new String[1];
            Await.until(NAMES + " requests in the agent's scrape", () -> {
                try {
                    text[0] = app.scrape();
                    return Exposition.parse(text[0]).find("scheduler_http_requests_total",
                            Map.of("handler", "hostile-agent")).stream().anyMatch(s -> s.value() == NAMES);
                } catch (Exception e) {
                    return false;
                }
            });
            assertEachRowExact(text[0], "hostile-agent", "scheduler_http", agentSent);
        }
    }

    /**
     * The readers' row MBeans (what the OpenTelemetry rules read): every endpoint and client sent has its MBean, whose
     * {@code Endpoint} or {@code Client} attribute is its name exactly and whose figures are the row's, per status
     * class too; no other row has one. The ObjectName only identifies the MBean: a reader takes the name from the
     * attribute, so whatever a name holds it can neither fail to register nor pass for another.
     */
    @Test
    void readerRowMBeansGiveEachNameItsOwnRow() throws Exception {
        javax.management.MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        javax.management.ObjectName pattern = new javax.management.ObjectName(MBeanPublisher.ROWS_DOMAIN
                + ":name=" + HANDLER + ",*");
        // A read of any row takes the view, and with it registers the client rows' MBeans.
        server.getAttribute(MBeanPublisher.rowName(HANDLER, EndpointTable.UNMATCHED), "Requests");
        Map<String, List<Long>> endpoints = new TreeMap<>();
        Map<String, List<Long>> classes = new TreeMap<>();
        Map<String, List<Long>> clients = new TreeMap<>();
        for (javax.management.ObjectName name : server.queryNames(pattern, null)) {
            if (name.getKeyProperty("client") != null) {
                assertThat(clients.put((String) server.getAttribute(name, "Client"), figures(server, name, ""))).isNull();
                continue;
            }
            if (name.getKeyProperty("endpoint") == null) {
                assertThat(name).isEqualTo(MBeanPublisher.totalsRowName(HANDLER));
                continue;
            }
            String endpoint = (String) server.getAttribute(name, "Endpoint");
            assertThat(endpoints.put(endpoint, figures(server, name, ""))).isNull();
            for (String statusClass : List.of("1xx", "2xx", "3xx", "4xx", "5xx")) {
                if (server.getAttribute(name, "Requests" + statusClass) != null) {
                    classes.put(statusClass + " " + endpoint, figures(server, name, statusClass));
                }
            }
        }
        Map<String, List<Long>> sentEndpoints = new TreeMap<>();
        sent.endpoints.forEach((endpoint, row) -> sentEndpoints.put(endpoint, List.of(row.bytesReceived, row.bytesSent, row.requests)));
        sentEndpoints.putIfAbsent(EndpointTable.UNMATCHED, List.of(0L, 0L, 0L));
        sentEndpoints.putIfAbsent(EndpointTable.OVERFLOW, List.of(0L, 0L, 0L));
        assertThat(endpoints).isEqualTo(sentEndpoints);
        Map<String, List<Long>> sentClasses = new TreeMap<>();
        sent.statusClasses.forEach((statusClass, rows) -> rows.forEach((endpoint, row) ->
                sentClasses.put(statusClass + " " + endpoint, List.of(row.bytesReceived, row.bytesSent, row.requests))));
        assertThat(classes).isEqualTo(sentClasses);
        Map<String, List<Long>> sentClients = new TreeMap<>();
        sent.clients.forEach((client, row) -> sentClients.put(client, List.of(row.bytesReceived, row.bytesSent, row.requests)));
        sentClients.put(ClientTable.OTHER, List.of(0L, 0L, 0L));
        assertThat(clients).isEqualTo(sentClients);
    }

    private static List<Long> figures(javax.management.MBeanServer server, javax.management.ObjectName name,
                                      String statusClass) throws Exception {
        return List.of((Long) server.getAttribute(name, "BytesReceived" + statusClass),
                (Long) server.getAttribute(name, "BytesSent" + statusClass),
                (Long) server.getAttribute(name, "Requests" + statusClass));
    }

    /**
     * Every endpoint, status-class and client series of {@code handler} is one of the rows sent, with that row's
     * exact figures; every row sent has its series; the totals are single series equal to the rows' sums; and no
     * family of the whole scrape needed {@code _objectname} to tell series apart.
     */
    static void assertEachRowExact(String text, String handler, String prefix, HostileTraffic sent) {
        Exposition e = Exposition.parse(text);
        assertThat(e.samples).filteredOn(s -> s.labels().containsKey("_objectname")).isEmpty();
        Map<String, String> h = Map.of("handler", handler);

        Map<String, HostileTraffic.Row> endpoints = new TreeMap<>(sent.endpoints);
        endpoints.putIfAbsent(EndpointTable.UNMATCHED, new HostileTraffic.Row());
        endpoints.putIfAbsent(EndpointTable.OVERFLOW, new HostileTraffic.Row());
        assertSameRows("endpoint rows", rows(e, prefix + "_endpoint_bandwidth_bytes_total",
                prefix + "_endpoint_requests_total", h, "endpoint"), figures(endpoints));

        for (Map.Entry<String, Map<String, HostileTraffic.Row>> byClass : sent.statusClasses.entrySet()) {
            assertSameRows("endpoint rows of " + byClass.getKey(), rows(e, prefix + "_endpoint_status_bandwidth_bytes_total",
                    prefix + "_endpoint_status_requests_total",
                    MetricsContract.with(h, "status_class", byClass.getKey()), "endpoint"), figures(byClass.getValue()));
        }
        assertThat(e.find(prefix + "_endpoint_status_requests_total", h).stream()
                .map(s -> s.labels().get("status_class")).distinct().sorted().toList())
                .isEqualTo(List.copyOf(sent.statusClasses.keySet()));

        Map<String, HostileTraffic.Row> clients = new TreeMap<>(sent.clients);
        clients.put(ClientTable.OTHER, new HostileTraffic.Row());
        assertSameRows("client rows", rows(e, prefix + "_client_bandwidth_bytes_total",
                prefix + "_client_requests_total", h, "client"), figures(clients));

        assertThat(e.value(prefix + "_bandwidth_bytes_total", MetricsContract.with(h, "direction", "inbound")))
                .isEqualTo(sent.total.bytesReceived);
        assertThat(e.value(prefix + "_bandwidth_bytes_total", MetricsContract.with(h, "direction", "outbound")))
                .isEqualTo(sent.total.bytesSent);
        assertThat(e.value(prefix + "_requests_total", h)).isEqualTo(sent.total.requests);
        assertThat(e.value(prefix + "_request_size_bytes_count", h)).isEqualTo(sent.total.requests);
    }

    private static void assertMatchesSnapshot(Exposition e, String prefix, BandwidthSnapshot snapshot) {
        Map<String, String> h = Map.of("handler", HANDLER);
        Map<String, List<Long>> endpoints = new TreeMap<>();
        snapshot.endpoints().forEach(r -> endpoints.put(r.endpoint(), List.of(r.bytesReceived(), r.bytesSent(),
                r.requests())));
        assertSameRows("endpoint rows against the snapshot", rows(e, prefix + "_endpoint_bandwidth_bytes_total",
                prefix + "_endpoint_requests_total", h, "endpoint"), endpoints);
        Map<String, List<Long>> clients = new TreeMap<>();
        snapshot.clients().forEach(r -> clients.put(r.client(), List.of(r.bytesReceived(), r.bytesSent(),
                r.requests())));
        assertSameRows("client rows against the snapshot", rows(e, prefix + "_client_bandwidth_bytes_total",
                prefix + "_client_requests_total", h, "client"), clients);
    }

    /** Fails with the rows that differ, names escaped, rather than two maps of thousands of rows. */
    private static void assertSameRows(String what, Map<String, List<Long>> scraped, Map<String, List<Long>> expected) {
        List<String> differences = new java.util.ArrayList<>();
        java.util.Set<String> names = new java.util.TreeSet<>(scraped.keySet());
        names.addAll(expected.keySet());
        for (String name : names) {
            if (!java.util.Objects.equals(scraped.get(name), expected.get(name))) {
                differences.add(escaped(name) + ": scraped " + scraped.get(name) + ", expected " + expected.get(name));
            }
        }
        assertThat(differences).as(what + " (" + scraped.size() + " scraped, " + expected.size() + " expected)")
                .isEmpty();
    }

    private static String escaped(String name) {
        StringBuilder out = new StringBuilder("\"");
        name.chars().forEach(c -> out.append(c < 0x20 || c == 0x7f || (c >= 0xd800 && c < 0xe000) || c == '"'
                ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return out.append('"').toString();
    }

    /** {@code label} value to [bytes in, bytes out, requests], read from the three series of each row. */
    private static Map<String, List<Long>> rows(Exposition e, String bytes, String requests, Map<String, String> with,
                                                String label) {
        Map<String, long[]> found = new TreeMap<>();
        for (Exposition.Sample s : e.find(bytes, with)) {
            long[] row = found.computeIfAbsent(s.labels().get(label), k -> new long[] {-1, -1, -1});
            int at = "inbound".equals(s.labels().get("direction")) ? 0 : 1;
            assertThat(row[at]).as("a second " + bytes + " sample for " + s.labels()).isEqualTo(-1);
            row[at] = (long) s.value();
        }
        for (Exposition.Sample s : e.find(requests, with)) {
            long[] row = found.computeIfAbsent(s.labels().get(label), k -> new long[] {-1, -1, -1});
            assertThat(row[2]).as("a second " + requests + " sample for " + s.labels()).isEqualTo(-1);
            row[2] = (long) s.value();
        }
        Map<String, List<Long>> result = new TreeMap<>();
        found.forEach((k, v) -> result.put(k, List.of(v[0], v[1], v[2])));
        return result;
    }

    private static Map<String, List<Long>> figures(Map<String, HostileTraffic.Row> rows) {
        Map<String, List<Long>> result = new TreeMap<>();
        rows.forEach((k, v) -> result.put(k, List.of(v.bytesReceived, v.bytesSent, v.requests)));
        return result;
    }
}
