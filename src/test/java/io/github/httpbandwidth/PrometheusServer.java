package io.github.httpbandwidth;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real Prometheus (Debian's package) on 127.0.0.1 with a temporary data directory, running the shipped
 * examples/prometheus files with only the scrape target's port rewritten.
 */
final class PrometheusServer implements AutoCloseable {

    static final Path SHIPPED = Path.of("examples/prometheus");
    static final String SHIPPED_TARGET = "127.0.0.1:9090";

    private final Process process;
    private final Path log;
    private final PrometheusApi api;

    private PrometheusServer(Process process, int port, Path log) {
        this.process = process;
        this.log = log;
        this.api = new PrometheusApi(port);
    }

    /** Scraping the given agent ports (a fleet when more than one) in the shipped job, at its interval. */
    static PrometheusServer start(Path workDir, int... targetPorts) throws Exception {
        String config = Files.readString(SHIPPED.resolve("prometheus.yml"));
        if (!config.contains('"' + SHIPPED_TARGET + '"')) {
            throw new IllegalStateException("shipped prometheus.yml no longer scrapes " + SHIPPED_TARGET);
        }
        String targets = java.util.Arrays.stream(targetPorts).mapToObj(p -> "127.0.0.1:" + p)
                .collect(java.util.stream.Collectors.joining("\", \""));
        Files.writeString(workDir.resolve("prometheus.yml"), config.replace(SHIPPED_TARGET, targets));
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
        } catch (AssertionError | IllegalStateException e) {
            server.close();
            throw new AssertionError(e.getMessage() + "; its log: " + Files.readString(log), e);
        }
        return server;
    }

    private boolean ready() {
        if (!process.isAlive()) {
            throw new IllegalStateException("Prometheus exited with " + process.exitValue());
        }
        return api.ready();
    }

    PrometheusApi api() {
        return api;
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
