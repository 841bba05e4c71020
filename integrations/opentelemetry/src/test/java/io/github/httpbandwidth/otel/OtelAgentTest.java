package io.github.httpbandwidth.otel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped {@code bandwidth-otel-rules.yaml} in the real OpenTelemetry Java agent (a child JVM running
 * {@link OtelTestApp}), exporting both ways at once: OTLP HTTP/protobuf to {@link OtlpReceiver}, which decodes the
 * agent's bytes with opentelemetry-proto, and the agent's Prometheus exporter, scraped. Every figure is compared
 * with curl's own byte counts; rows and clients named with hostile text come back as exactly their names; every
 * row's first data point is 0; the client series add up to the totals.
 */
class OtelAgentTest {

    private static final String HANDLER = "otel";
    /** Names built to pass for structure in some reader: label syntax, ObjectName syntax, our own patterns. */
    private static final List<String> HOSTILE = List.of("/a\"quote", "/back\\slash", "/com,ma", "/eq=ual", "/star*",
            "/ジョブ", "x\",http_route=\"/jobs/{id}", "io.github.httpbandwidth.rows:name=otel,endpoint=/jobs/{id}",
            "/jobs/{id} ", "(unmatched)x", "><Endpoints>bytesSent: 0");

    /** Worker ids for the three job downloads: one plain, one that tries to forge another's label, one a fixed row's name. */
    private static final List<String> WORKERS = List.of("w-a", "x\",client=\"w-a", "(other)");

    @TempDir
    Path work;

    private OtelAgentApp app;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stopApp() throws Exception {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void otlpAndPrometheusCarryCurlsBytesPerRouteAndClassBornAtZero() throws Exception {
        try (OtlpReceiver otlp = new OtlpReceiver()) {
            int metricsPort = OtelAgentApp.freePort();
            app = OtelAgentApp.start(otlp, metricsPort, System.getProperty("otelTest.holdSeconds", "5"));
            String base = app.base();
            // The agent is exporting (the totals MBean is found at once) before any traffic.
            await("a first OTLP export with the handler's totals", () -> latest(otlp).keySet().stream()
                    .anyMatch(k -> k.startsWith("undertow.bandwidth.requests|")));

            long jobsOut = 0;
            Map<String, Long> clientOut = new LinkedHashMap<>();
            for (int i = 0; i < 3; i++) {
                String worker = WORKERS.get(i);
                long[] r = curl(base + "/jobs/" + i, null, null, worker);
                assertThat(r[0]).isEqualTo(200);
                jobsOut += r[2];
                clientOut.merge(worker, r[2], Long::sum);
            }
            Path upload = work.resolve("upload.bin");
            Files.write(upload, new byte[54_321]);
            long[] posted = curl(base + "/upload", upload, null, "w-b");
            clientOut.merge("w-b", posted[2], Long::sum);
            long[] missing = curl(base + "/missing/x", null, null);
            assertThat(missing[0]).isEqualTo(404);
            Map<String, long[]> hostile = new LinkedHashMap<>();
            for (String name : HOSTILE) {
                hostile.put(name, curl(base + "/jobs/h", null, name));
            }

            Map<String, Long> expected = new LinkedHashMap<>();
            long totalIn = posted[1];
            long totalOut = jobsOut + posted[2] + missing[2] + hostile.values().stream().mapToLong(r -> r[2]).sum();
            long requests = 3 + 1 + 1 + HOSTILE.size();
            expected.put(key("undertow.bandwidth.body.io", "handler", HANDLER, "network.io.direction", "receive"), totalIn);
            expected.put(key("undertow.bandwidth.body.io", "handler", HANDLER, "network.io.direction", "transmit"), totalOut);
            expected.put(key("undertow.bandwidth.requests", "handler", HANDLER), requests);
            expected.put(key("undertow.bandwidth.requests.active", "handler", HANDLER), 0L);
            expected.put(key("undertow.bandwidth.request.body.size.sum", "handler", HANDLER), totalIn);
            expected.put(key("undertow.bandwidth.response.body.size.sum", "handler", HANDLER), totalOut);
            expected.put(route("body.io", "/jobs/{id}", "network.io.direction", "transmit"), jobsOut);
            expected.put(route("requests", "/jobs/{id}"), 3L);
            expected.put(route("body.io", "/upload", "network.io.direction", "receive"), posted[1]);
            expected.put(route("body.io", "/upload", "network.io.direction", "transmit"), posted[2]);
            expected.put(status("body.io", "/missing/{x}", "4xx", "network.io.direction", "transmit"), missing[2]);
            expected.put(status("requests", "/missing/{x}", "4xx"), 1L);
            expected.put(status("requests", "/jobs/{id}", "2xx"), 3L);
            for (Map.Entry<String, long[]> h : hostile.entrySet()) {
                expected.put(route("body.io", h.getKey(), "network.io.direction", "transmit"), h.getValue()[2]);
                expected.put(route("requests", h.getKey()), 1L);
            }
            // Clients: the workers by their header (a key spelling a fixed row's name shows with a leading _), the
            // rest by the remote address.
            clientOut.put("127.0.0.1", missing[2] + hostile.values().stream().mapToLong(r -> r[2]).sum());
            clientOut.forEach((client, bytes) -> expected.put(key("undertow.bandwidth.client.body.io", "handler",
                    HANDLER, "client", client.equals("(other)") ? "_(other)" : client, "network.io.direction",
                    "transmit"), bytes));
            expected.put(key("undertow.bandwidth.client.body.io", "handler", HANDLER, "client", "w-b",
                    "network.io.direction", "receive"), posted[1]);
            expected.put(key("undertow.bandwidth.client.body.io", "handler", HANDLER, "client", "(other)",
                    "network.io.direction", "transmit"), 0L);
            assertThat(posted[1]).isEqualTo(54_321);

            // The rows are found by the agent's next MBean discovery, then held at 0, then exact.
            await("OTLP to carry every expected figure", () -> {
                Map<String, Long> now = latest(otlp);
                return expected.entrySet().stream().allMatch(e -> e.getValue().equals(now.get(e.getKey())));
            }, () -> "expected " + expected + "\nlatest " + latest(otlp));
            Map<String, Long> latest = latest(otlp);
            expected.forEach((k, v) -> assertThat(latest.get(k)).as(k).isEqualTo(v));

            // The rows are exactly the names the classifier gave, plus the two fixed rows: nothing forged, none lost.
            Set<String> routes = otlp.points().stream().filter(p -> p.metric().equals("undertow.bandwidth.route.requests"))
                    .map(p -> p.attributes().get("http.route")).collect(Collectors.toCollection(TreeSet::new));
            Set<String> names = new TreeSet<>(HOSTILE);
            names.addAll(List.of("/jobs/{id}", "/upload", "/missing/{x}", "(unmatched)", "(overflow)"));
            assertThat(routes).isEqualTo(names);
            Set<String> clients = otlp.points().stream().filter(p -> p.metric().equals("undertow.bandwidth.client.requests"))
                    .map(p -> p.attributes().get("client")).collect(Collectors.toCollection(TreeSet::new));
            Set<String> clientNames = new TreeSet<>(List.of("w-a", "w-b", "x\",client=\"w-a", "_(other)", "127.0.0.1",
                    "(other)"));
            assertThat(clients).isEqualTo(clientNames);
            // The client series add up to the totals.
            Map<String, Long> last = latest(otlp);
            assertThat(last.entrySet().stream().filter(e -> e.getKey().startsWith("undertow.bandwidth.client.body.io|")
                    && e.getKey().contains("network.io.direction=transmit")).mapToLong(Map.Entry::getValue).sum())
                    .isEqualTo(totalOut);
            // Born at zero: every row's and every status class's first data point is 0.
            Map<String, Long> first = new HashMap<>();
            for (OtlpReceiver.Point p : otlp.points()) {
                if (p.metric().startsWith("undertow.bandwidth.route.") || p.metric().startsWith("undertow.bandwidth.client.")) {
                    first.putIfAbsent(key(p), p.value());
                }
            }
            assertThat(first).isNotEmpty().allSatisfy((series, value) -> assertThat(value).as(series).isZero());
            // Units and types as OpenTelemetry's conventions have them.
            assertThat(otlp.points()).filteredOn(p -> p.metric().endsWith("body.io"))
                    .allSatisfy(p -> assertThat(p.unit()).isEqualTo("By")).allSatisfy(p -> assertThat(p.monotonic()).isTrue());

            // The agent's Prometheus exporter: the same figures.
            String scrape = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(prometheusValue(scrape, "undertow_bandwidth_route_body_io_bytes_total",
                    "http_route=\"/jobs/{id}\"", "network_io_direction=\"transmit\"")).isEqualTo(jobsOut);
            assertThat(prometheusValue(scrape, "undertow_bandwidth_body_io_bytes_total", "handler=\"otel\"",
                    "network_io_direction=\"receive\"")).isEqualTo(totalIn);
            assertThat(prometheusValue(scrape, "undertow_bandwidth_route_status_requests_total",
                    "http_route=\"/missing/{x}\"", "http_response_status_class=\"4xx\"")).isEqualTo(1);
            assertThat(prometheusValue(scrape, "undertow_bandwidth_route_body_io_bytes_total",
                    "http_route=\"x\\\",http_route=\\\"/jobs/{id}\"", "network_io_direction=\"transmit\""))
                    .isEqualTo(hostile.get("x\",http_route=\"/jobs/{id}")[2]);
        }
    }

    /**
     * Under delta temporality the agent's SDK sends each collection's value less the one before for every series it
     * saw at both: a client series that went down while its MBean stayed registered (its client pushed out of the table
     * and back in between two collections) would arrive as a negative delta. Two rows; w3 pushes w2 out, six one-byte
     * clients push each other out, w2 comes back, all on one connection between two collections. The agent's
     * Prometheus exporter, a second reader of the same MBeans, is scraped every 300 ms meanwhile, while OTLP exports
     * every 3 s (rows held 5 s, longer, as the guide asks): the scrapes find w2 gone and could find its new series
     * before the OTLP reader collects again.
     */
    @Test
    void underDeltaTemporalityAClientOutAndBackInNeverGoesBelowWhatItShowed() throws Exception {
        int metricsPort = OtelAgentApp.freePort();
        ScheduledExecutorService scraper = Executors.newSingleThreadScheduledExecutor();
        try (OtlpReceiver otlp = new OtlpReceiver()) {
            app = OtelAgentApp.start(otlp, metricsPort, "5", "-Dotel.metric.export.interval=3000",
                    "-Dotel.exporter.otlp.metrics.temporality.preference=delta", "-DotelTest.clientCapacity=2");
            HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build();
            scraper.scheduleWithFixedDelay(() -> {
                try {
                    http.send(scrape, HttpResponse.BodyHandlers.discarding());
                } catch (Exception e) {
                    // The next scrape tries again; the OTLP reader is what the test checks.
                }
            }, 0, 300, TimeUnit.MILLISECONDS);
            await("a first OTLP export with the handler's totals", () -> latest(otlp).keySet().stream()
                    .anyMatch(k -> k.startsWith("undertow.bandwidth.requests|")));
            HttpClient oneConnection = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            upload(oneConnection, "w1", 50_000);
            upload(oneConnection, "w2", 3_000);
            String w2 = clientIn("w2");
            await("w2's 3,000 bytes in its series", () -> sum(otlp, w2) == 3_000, () -> "points " + otlp.points());

            upload(oneConnection, "w3", 4_000);
            for (int i = 1; i <= 6; i++) {
                upload(oneConnection, "f" + i, 1);
            }
            upload(oneConnection, "w2", 100);
            long total = 50_000 + 3_000 + 4_000 + 6 + 100;
            String totalIn = key("undertow.bandwidth.body.io", "handler", HANDLER, "network.io.direction", "receive");
            await("the totals' deltas to add up to every byte", () -> sum(otlp, totalIn) == total);
            await("the client series' deltas to add up to the totals' (or one to go negative)", () -> clientsIn(otlp)
                    == total || otlp.points().stream().anyMatch(p -> p.metric().startsWith("undertow.bandwidth.client.")
                    && p.value() < 0), () -> "points " + otlp.points());
            assertThat(otlp.points()).filteredOn(p -> p.metric().startsWith("undertow.bandwidth.client."))
                    .allSatisfy(p -> assertThat(p.value()).as(key(p)).isNotNegative());
            assertThat(clientsIn(otlp)).isEqualTo(total);
            assertThat(sum(otlp, w2)).isEqualTo(3_100);
        } finally {
            scraper.shutdownNow();
        }
    }

    /**
     * A redeployment, or a reload of a server-wide filter, closes a monitor and starts another of the same name in the
     * same JVM, counting from 0. Seen by an SDK under delta temporality as the same series going down, that is a
     * negative delta of each monotonic sum (six requests, then -5), and what backends add up loses what the first
     * monitor counted. Six requests, a redeploy once the reader has them, one request: every series adds up to seven.
     */
    @Test
    void underDeltaTemporalityARedeployedMonitorNeverGoesBelowWhatTheLastOneShowed() throws Exception {
        try (OtlpReceiver otlp = new OtlpReceiver()) {
            app = OtelAgentApp.start(otlp, OtelAgentApp.freePort(), "3",
                    "-Dotel.exporter.otlp.metrics.temporality.preference=delta");
            await("a first OTLP export with the handler's totals", () -> latest(otlp).keySet().stream()
                    .anyMatch(k -> k.startsWith("undertow.bandwidth.requests|")));
            HttpClient oneConnection = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String requests = key("undertow.bandwidth.requests", "handler", HANDLER);
            String bytesOut = key("undertow.bandwidth.body.io", "handler", HANDLER, "network.io.direction", "transmit");
            String route = route("requests", "/jobs/{id}");
            String client = key("undertow.bandwidth.client.requests", "handler", HANDLER, "client", "w1");
            List<String> series = List.of(requests, route, client);
            for (int i = 0; i < 6; i++) {
                getJob(oneConnection, "w1");
            }
            Supplier<String> seen = () -> "points " + otlp.points().stream()
                    .filter(p -> series.contains(key(p))).map(p -> key(p) + "=" + p.value()).toList();
            await("six requests in every series", () -> series.stream().allMatch(s -> sum(otlp, s) == 6), seen);

            app.send("redeploy");
            await("the new monitor", () -> app.output().contains("REDEPLOYED"));
            getJob(oneConnection, "w1");
            await("seven requests in every series (or a negative delta)", () -> series.stream()
                    .allMatch(s -> sum(otlp, s) == 7) || otlp.points().stream().anyMatch(p -> p.monotonic() && p.value() < 0),
                    seen);
            assertThat(otlp.points()).filteredOn(OtlpReceiver.Point::monotonic)
                    .allSatisfy(p -> assertThat(p.value()).as(key(p)).isNotNegative());
            series.forEach(s -> assertThat(sum(otlp, s)).as(s).isEqualTo(7));
            assertThat(sum(otlp, bytesOut)).isEqualTo(7_000);
        }
    }

    private void getJob(HttpClient client, String worker) throws Exception {
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create(app.base() + "/jobs/1"))
                .header("X-Worker-Id", worker).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.body()).hasSize(1000);
    }

    private void upload(HttpClient client, String worker, int bytes) throws Exception {
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create(app.base() + "/upload"))
                .header("X-Worker-Id", worker).POST(HttpRequest.BodyPublishers.ofByteArray(new byte[bytes])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.body()).isEqualTo("n=" + bytes);
    }

    private static String clientIn(String client) {
        return key("undertow.bandwidth.client.body.io", "handler", HANDLER, "client", client, "network.io.direction",
                "receive");
    }

    /** The sum of every data point of one series: under delta temporality, what the series counted. */
    private static long sum(OtlpReceiver otlp, String series) {
        return otlp.points().stream().filter(p -> key(p).equals(series)).mapToLong(OtlpReceiver.Point::value).sum();
    }

    /** The sum of every data point of every client series of bytes received. */
    private static long clientsIn(OtlpReceiver otlp) {
        return otlp.points().stream().filter(p -> p.metric().equals("undertow.bandwidth.client.body.io")
                && "receive".equals(p.attributes().get("network.io.direction"))).mapToLong(OtlpReceiver.Point::value).sum();
    }

    /** The value of the one sample of {@code metric} whose labels include all of {@code labels}. */
    private static long prometheusValue(String scrape, String metric, String... labels) {
        List<String> lines = scrape.lines().filter(l -> l.startsWith(metric + "{"))
                .filter(l -> java.util.Arrays.stream(labels).allMatch(l::contains)).toList();
        assertThat(lines).as(metric + " " + String.join(",", labels) + " in\n" + scrape).hasSize(1);
        String line = lines.get(0);
        return Math.round(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
    }

    private static long[] curl(String url, Path upload, String endpoint) throws Exception {
        return curl(url, upload, endpoint, null);
    }

    /** curl's figures ({@link Curl#run}); {@code endpoint} names the row and {@code worker} the client when given. */
    private static long[] curl(String url, Path upload, String endpoint, String worker) throws Exception {
        List<String> args = new ArrayList<>();
        if (upload != null) {
            args.addAll(List.of("--data-binary", "@" + upload));
        }
        if (endpoint != null) {
            args.addAll(List.of("-H", "X-Test-Endpoint: " + URLEncoder.encode(endpoint, StandardCharsets.UTF_8)));
        }
        if (worker != null) {
            args.addAll(List.of("-H", "X-Worker-Id: " + worker));
        }
        return Curl.run(url, args.toArray(String[]::new));
    }

    /** The last value of every series received, by {@link #key(OtlpReceiver.Point)}. */
    private static Map<String, Long> latest(OtlpReceiver otlp) {
        Map<String, Long> latest = new HashMap<>();
        for (OtlpReceiver.Point p : otlp.points()) {
            latest.put(key(p), p.value());
        }
        return latest;
    }

    private static String key(OtlpReceiver.Point p) {
        return p.metric() + "|" + p.attributes();
    }

    private static String key(String metric, String... attributes) {
        Map<String, String> sorted = new java.util.TreeMap<>();
        for (int i = 0; i < attributes.length; i += 2) {
            sorted.put(attributes[i], attributes[i + 1]);
        }
        return metric + "|" + sorted;
    }

    private static String route(String metric, String route, String... more) {
        List<String> attributes = new ArrayList<>(List.of("handler", HANDLER, "http.route", route));
        attributes.addAll(List.of(more));
        return key("undertow.bandwidth.route." + metric, attributes.toArray(String[]::new));
    }

    private static String status(String metric, String route, String statusClass, String... more) {
        List<String> attributes = new ArrayList<>(List.of("handler", HANDLER, "http.route", route,
                "http.response.status_class", statusClass));
        attributes.addAll(List.of(more));
        return key("undertow.bandwidth.route.status." + metric, attributes.toArray(String[]::new));
    }

    private void await(String what, BooleanSupplier condition) {
        await(what, condition, () -> "");
    }

    /** Polls every 200 ms for up to 120 s (MBean discovery, the 5 s hold, 1 s exports). */
    private void await(String what, BooleanSupplier condition, java.util.function.Supplier<String> state) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!condition.getAsBoolean()) {
            if (!app.isAlive()) {
                throw new AssertionError("the app under the agent ended while waiting for " + what + ": " + app.output());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 120 s: " + what + "; " + state.get() + "\napp: "
                        + app.output().stream().filter(l -> l.contains("WARN") || l.contains("SEVERE") || l.contains("jmx"))
                        .limit(40).collect(Collectors.joining("\n")));
            }
            LockSupport.parkNanos(200_000_000L);
        }
    }
}
