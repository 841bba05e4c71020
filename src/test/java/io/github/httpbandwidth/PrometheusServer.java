package io.github.httpbandwidth;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A real Prometheus (Debian's package) on 127.0.0.1 with a temporary data directory, running the shipped
 * examples/prometheus files with only the scrape target's port rewritten.
 */
final class PrometheusServer implements AutoCloseable {

    static final Path SHIPPED = Path.of("examples/prometheus");
    static final String SHIPPED_TARGET = "127.0.0.1:9090";

    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient client = HttpClient.newHttpClient();

    private PrometheusServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    static PrometheusServer start(Path workDir, int targetPort) throws Exception {
        String config = Files.readString(SHIPPED.resolve("prometheus.yml"));
        if (!config.contains(SHIPPED_TARGET)) {
            throw new IllegalStateException("shipped prometheus.yml no longer scrapes " + SHIPPED_TARGET);
        }
        Files.writeString(workDir.resolve("prometheus.yml"), config.replace(SHIPPED_TARGET, "127.0.0.1:" + targetPort));
        Files.copy(SHIPPED.resolve("rules.yml"), workDir.resolve("rules.yml"));
        int port = Ports.free();
        Path log = workDir.resolve("prometheus.log");
        Process process = new ProcessBuilder(Executables.require("prometheus", "prometheus"),
                "--config.file=" + workDir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + workDir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PrometheusServer server = new PrometheusServer(process, port, log);
        try {
            Await.until("Prometheus to be ready on 127.0.0.1:" + port, server::ready);
        } catch (AssertionError e) {
            server.close();
            throw new AssertionError(e.getMessage() + "; its log: " + Files.readString(log), e);
        }
        return server;
    }

    private boolean ready() {
        if (!process.isAlive()) {
            throw new IllegalStateException("Prometheus exited with " + process.exitValue());
        }
        try {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    /** The {@code data.result} of an instant query: one map per series, with {@code metric} and {@code value}. */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> query(String promql) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, Object> body = (Map<String, Object>) Json.parse(response.body());
        if (response.statusCode() != 200 || !"success".equals(body.get("status"))) {
            throw new IllegalStateException("query " + promql + " failed: " + response.body());
        }
        return (List<Map<String, Object>>) ((Map<String, Object>) body.get("data")).get("result");
    }

    /** The value of a query that must return exactly one series. */
    double single(String promql) throws Exception {
        List<Map<String, Object>> result = query(promql);
        if (result.size() != 1) {
            throw new AssertionError("expected one series from " + promql + ", got " + result);
        }
        return valueOf(result.get(0));
    }

    /** Waits until a single-series query returns {@code expected}. */
    void awaitValue(String promql, double expected) {
        Await.until(promql + " == " + expected, () -> {
            try {
                List<Map<String, Object>> result = query(promql);
                return result.size() == 1 && valueOf(result.get(0)) == expected;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @SuppressWarnings("unchecked")
    static double valueOf(Map<String, Object> series) {
        return Double.parseDouble((String) ((List<Object>) series.get("value")).get(1));
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> labelsOf(Map<String, Object> series) {
        return (Map<String, String>) (Map<String, ?>) series.get("metric");
    }

    String log() throws Exception {
        return Files.readString(log);
    }

    @Override
    public void close() {
        process.destroy();
        Executables.awaitExit(process);
    }
}
