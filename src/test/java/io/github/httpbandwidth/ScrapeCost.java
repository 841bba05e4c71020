package io.github.httpbandwidth;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Map;

/**
 * Measures what one scrape of the real agent costs with the shipped rules: at 1 endpoint, at the default endpoint
 * cap, and at the cap after a flood of names that go to (overflow). A benchmark, not a test: run it with
 * {@code examples/benchmarks/scrape-cost.sh}; its figures go into docs/PERFORMANCE.md.
 */
public final class ScrapeCost {

    /** Scrapes before the measured ones (scrape.cost.warmup): 30 leave the JIT still compiling the agent's path. */
    private static final int WARMUP = Integer.getInteger("scrape.cost.warmup", 30);
    private static final int MEASURED = 100;

    private ScrapeCost() {
    }

    public static void main(String[] args) throws Exception {
        System.out.printf("%-36s %6s %12s %12s %12s%n", "case", "rows", "scrape p50", "scrape p90", "agent p50");
        int cap = BandwidthStats.DEFAULT_ENDPOINT_CAP;
        measure("1 endpoint", cap, 1, 0);
        measure("64 endpoints", cap, 64, 0);
        measure("128 endpoints", cap, 128, 0);
        measure("default cap (" + cap + " endpoints)", cap, cap, 0);
        measure("default cap + 10000 overflow names", cap, cap, 10_000);
        measureFull("default caps, full: 256 endpoints x 2 status classes, 50 clients + (other)", cap);
        measure("cap 1000, full", 1000, 1000, 0);
    }

    private static void measure(String label, int cap, int endpoints, int overflowNames) throws Exception {
        try (AgentJvm app = AgentJvm.start("cost", cap, config())) {
            HttpClient client = HttpClient.newHttpClient();
            for (int i = 0; i < endpoints + overflowNames; i++) {
                client.send(HttpRequest.newBuilder(URI.create(app.httpBase() + "/small"))
                        .header(HeaderClassifier.HEADER.toString(), "/endpoint/" + i).build(),
                        HttpResponse.BodyHandlers.discarding());
            }
            report(label, app);
        }
    }

    /**
     * Every table at its default cap: each endpoint answered once with 200 and once with 404 (two status classes),
     * from 60 worker ids (the client table's 50, the rest in (other)).
     */
    private static void measureFull(String label, int cap) throws Exception {
        try (AgentJvm app = AgentJvm.start("cost", cap, config())) {
            HttpClient client = HttpClient.newHttpClient();
            for (int i = 0; i < cap; i++) {
                for (String path : new String[] {"/small", "/no-such-route"}) {
                    client.send(HttpRequest.newBuilder(URI.create(app.httpBase() + path))
                            .header(HeaderClassifier.HEADER.toString(), "/endpoint/" + i)
                            .header("X-Worker-Id", "worker-" + (i % 60)).build(),
                            HttpResponse.BodyHandlers.discarding());
                }
            }
            report(label, app);
        }
    }

    /** The shipped rules, or another rules file to compare (SCRAPE_COST_CONFIG, through scrape.cost.config). */
    private static java.nio.file.Path config() {
        return java.nio.file.Path.of(System.getProperty("scrape.cost.config", "jmx-exporter-config.yaml"));
    }

    private static void report(String label, AgentJvm app) throws Exception {
        for (int i = 0; i < WARMUP; i++) {
            app.scrape();
        }
        double[] clientMs = new double[MEASURED];
        double[] agentMs = new double[MEASURED];
        int rows = 0;
        int clients = 0;
        for (int i = 0; i < MEASURED; i++) {
            long start = System.nanoTime();
            String text = rawScrape(app.metricsPort());
            clientMs[i] = (System.nanoTime() - start) / 1e6;
            Exposition e = Exposition.parse(text);
            agentMs[i] = e.value("jmx_scrape_duration_seconds", Map.of()) * 1000;
            rows = e.find("scheduler_http_endpoint_requests_total", Map.of("handler", "cost")).size();
            clients = e.find("scheduler_http_client_requests_total", Map.of("handler", "cost")).size();
        }
        System.out.printf("%-36s %6d %9.2f ms %9.2f ms %9.2f ms   (%d client rows)%n", label, rows,
                percentile(clientMs, 50), percentile(clientMs, 90), percentile(agentMs, 50), clients);
    }

    /** One GET /metrics on a fresh connection, read to the end: what a scraper waits for. */
    private static String rawScrape(int port) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.getOutputStream().write(("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            String body = response.substring(response.indexOf("\r\n\r\n") + 4);
            return response.contains("chunked") ? dechunk(body) : body;
        }
    }

    private static String dechunk(String body) {
        StringBuilder out = new StringBuilder();
        int pos = 0;
        while (true) {
            int lineEnd = body.indexOf("\r\n", pos);
            int size = Integer.parseInt(body.substring(pos, lineEnd).trim(), 16);
            if (size == 0) {
                return out.toString();
            }
            out.append(body, lineEnd + 2, lineEnd + 2 + size);
            pos = lineEnd + 2 + size + 2;
        }
    }

    private static double percentile(double[] values, int p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
}
