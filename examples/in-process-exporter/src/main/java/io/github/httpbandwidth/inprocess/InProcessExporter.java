package io.github.httpbandwidth.inprocess;

import io.prometheus.jmx.JmxCollector;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The JMX exporter's rules served from inside the application, for where a {@code -javaagent} is unwelcome: the
 * same {@code jmx-exporter-config.yaml}, evaluated by the same rule engine ({@code io.prometheus.jmx:collector})
 * over the platform MBeanServer, and served by client_java's HTTP server on {@code /metrics}.
 *
 * <pre>{@code
 * try (InProcessExporter metrics = InProcessExporter.start("127.0.0.1", 9090, Path.of("jmx-exporter-config.yaml"))) {
 *     ... // the application, with BandwidthHandler.monitor(...) somewhere
 * }
 * }</pre>
 *
 * <p>What differs from the agent: the agent's {@code httpServer} section (TLS, basic authentication) is not read;
 * configure those on client_java's {@code HTTPServer.Builder} instead. The agent's {@code jvm_*} metrics are not
 * added (register client_java's JVM instrumentation if you want them).
 */
public final class InProcessExporter implements AutoCloseable {

    private final HTTPServer server;

    private InProcessExporter(HTTPServer server) {
        this.server = server;
    }

    /**
     * Serves the rules' metrics on {@code http://host:port/metrics}; port 0 takes a free one ({@link #port()}).
     *
     * @throws IOException when the rules file cannot be read or the port cannot be bound
     * @throws IllegalArgumentException when the rules file is not a valid exporter configuration
     */
    public static InProcessExporter start(String host, int port, Path rulesFile) throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        try {
            new JmxCollector(rulesFile.toFile(), JmxCollector.Mode.AGENT).register(registry);
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalArgumentException(rulesFile + ": an object name in the rules is malformed: "
                    + e.getMessage(), e);
        }
        return new InProcessExporter(HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart());
    }

    /** The port the metrics are served on. */
    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
    }
}
