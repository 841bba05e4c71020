package io.github.httpbandwidth.otel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@link OtelTestApp} in a child JVM under the real OpenTelemetry Java agent with the shipped rules, exporting
 * metrics over OTLP HTTP/protobuf every second to {@code otlp} and serving them in the Prometheus format on
 * 127.0.0.1:{@code metricsPort}; traces and logs off. Stopped by closing its standard input.
 */
final class OtelAgentApp implements AutoCloseable {

    private final Process process;
    private final List<String> output;
    private final int httpPort;

    private OtelAgentApp(Process process, List<String> output, int httpPort) {
        this.process = process;
        this.output = output;
        this.httpPort = httpPort;
    }

    /** Starts it with rows held for {@code holdSeconds} and the agent's further {@code -D} settings. */
    static OtelAgentApp start(OtlpReceiver otlp, int metricsPort, String holdSeconds, String... settings)
            throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = "target/test-classes" + java.io.File.pathSeparator
                + Files.readString(Path.of(System.getProperty("child.classpath.file"))).trim();
        List<String> command = new ArrayList<>(List.of(javaBin, "-Xmx256m",
                "-javaagent:" + System.getProperty("otel.agent"),
                "-Dotel.jmx.config=" + System.getProperty("otel.rules"),
                "-Dotel.service.name=otel-bandwidth-test",
                "-Dotel.traces.exporter=none", "-Dotel.logs.exporter=none",
                "-Dotel.metrics.exporter=otlp,prometheus",
                "-Dotel.exporter.otlp.protocol=http/protobuf",
                "-Dotel.exporter.otlp.metrics.endpoint=" + otlp.endpoint(),
                "-Dotel.metric.export.interval=1000",
                "-Dotel.exporter.prometheus.host=127.0.0.1", "-Dotel.exporter.prometheus.port=" + metricsPort,
                // MBean discovery every second or so at first, so a test does not wait a minute for new rows.
                "-Dotel.jmx.discovery.delay=1000",
                "-Dio.github.httpbandwidth.rowHoldSeconds=" + holdSeconds));
        command.addAll(List.of(settings));
        command.addAll(List.of("-cp", classPath, OtelTestApp.class.getName()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> output = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    output.add(line);
                    if (line.startsWith("HTTP_PORT=")) {
                        port.complete(Integer.parseInt(line.substring(10)));
                    }
                }
            } catch (IOException e) {
                port.completeExceptionally(e);
            }
            port.completeExceptionally(new IllegalStateException("the app ended: " + output));
        }, "otel-app-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return new OtelAgentApp(process, output, port.get(120, TimeUnit.SECONDS));
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** A free port on 127.0.0.1 for the agent's Prometheus exporter. */
    static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    String base() {
        return "http://127.0.0.1:" + httpPort;
    }

    int httpPort() {
        return httpPort;
    }

    /** Sends one line to its standard input ({@link OtelTestApp}'s commands). */
    void send(String line) throws IOException {
        process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    List<String> output() {
        return List.copyOf(output);
    }

    @Override
    public void close() throws Exception {
        process.getOutputStream().close();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
