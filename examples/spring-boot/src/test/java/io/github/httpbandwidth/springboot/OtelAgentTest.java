package io.github.httpbandwidth.springboot;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example application as a team on the OpenTelemetry Java agent runs it: a child JVM with the real agent
 * ({@code -javaagent}, 2.33.1 from Maven Central), the shipped {@code bandwidth-otel-rules.yaml} and the agent's
 * Prometheus exporter, no JMX exporter. The starter's MBeans give the {@code undertow.bandwidth.*} metrics, each route's,
 * status class's and the client's bytes equal to curl's own counts, each series once: also with the agent's Micrometer
 * bridge on, with the rules (theirs) and without them (the starter's meters').
 */
class OtelAgentTest {

    private static final String HANDLER = "otel-jobs";

    @TempDir
    Path work;

    private Process app;

    @AfterEach
    void stopApp() throws InterruptedException {
        Children.stop(app);
    }

    @Test
    void theAgentsMetricsCarryCurlsBytesPerRouteStatusClassAndClient() throws Exception {
        String text = run(false, true);
        assertThat(text).doesNotContain("scheduler_http_");
    }

    /**
     * With the agent's Micrometer bridge on ({@code otel.instrumentation.micrometer.enabled=true}, as teams turn it on
     * for Spring's own meters), the starter's meters, which carry the rules' names, reach the agent too: each figure
     * must still be one series, the rules'.
     */
    @Test
    void withTheMicrometerBridgeOnEachFigureIsOneSeriesTheRules() throws Exception {
        String text = run(true, true);
        assertThat(text).as("the bridge is on: Spring's own meters come through it")
                .contains("otel_scope_name=\"io.opentelemetry.micrometer-1.5\"");
        assertThat(scopes(text)).containsOnly("io.opentelemetry.jmx");
    }

    /** With the bridge on and no rules for these MBeans, the starter's meters give the same series, once. */
    @Test
    void withTheMicrometerBridgeAndNoRulesTheStartersMetersGiveTheSameSeries() throws Exception {
        String text = run(true, false);
        assertThat(scopes(text)).containsOnly("io.opentelemetry.micrometer-1.5");
    }

    /** The instrumentation scopes of the {@code undertow_bandwidth_*} series. */
    private static Set<String> scopes(String text) {
        Set<String> scopes = new TreeSet<>();
        Pattern scope = Pattern.compile("otel_scope_name=\"([^\"]*)\"");
        text.lines().filter(line -> line.startsWith("undertow_bandwidth_")).forEach(line -> {
            Matcher m = scope.matcher(line);
            scopes.add(m.find() ? m.group(1) : "(none)");
        });
        return scopes;
    }

    /**
     * Starts the application under the agent, with its Micrometer bridge on or off and with or without the shipped
     * rules, sends curl's requests and waits until every expected series has curl's count (each series once);
     * returns the agent's last exposition.
     */
    private String run(boolean bridge, boolean rules) throws Exception {
        int port = Children.freePort();
        int metricsPort = Children.freePort();
        String classpath = System.getProperty("child.classpath") + java.io.File.pathSeparator
                + Files.readString(Path.of(System.getProperty("child.classpath.file"))).trim();
        Path log = work.resolve("app.log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-javaagent:" + System.getProperty("otel.agent"),
                "-Dotel.metrics.exporter=prometheus", "-Dotel.exporter.prometheus.host=127.0.0.1",
                "-Dotel.exporter.prometheus.port=" + metricsPort, "-Dotel.traces.exporter=none",
                "-Dotel.logs.exporter=none", "-Dotel.jmx.discovery.delay=1000", "-Dotel.service.name=jobs",
                "-Dotel.instrumentation.micrometer.enabled=" + bridge));
        if (rules) {
            command.add("-Dotel.jmx.config=" + System.getProperty("otel.rules"));
        }
        command.addAll(List.of("-cp", classpath, JobsApplication.class.getName(),
                "--server.port=" + port, "--bandwidth.name=" + HANDLER, "--bandwidth.row-hold=0s"));
        app = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await("the application to answer", log, () -> status(port, "/api/actuator/health") == 200);

        long[] jobs = Children.curl(port, "/api/jobs/1", null);
        long[] jobs2 = Children.curl(port, "/api/jobs/22", null);
        Path file = work.resolve("upload.bin");
        Files.write(file, new byte[54_321]);
        long[] posted = Children.curl(port, "/api/artifacts/a.bin", file);
        long[] missing = Children.curl(port, "/api/no/such/thing", null);
        assertThat(new long[] {jobs[0], posted[0], missing[0]}).containsExactly(200, 200, 404);
        assertThat(posted[1]).isEqualTo(54_321);

        Map<String, Long> expected = Map.of(
                series("undertow_bandwidth_route_body_io_bytes_total", "/api/jobs/{id}", null, "transmit"),
                jobs[2] + jobs2[2],
                series("undertow_bandwidth_route_requests_total", "/api/jobs/{id}", null, null), 2L,
                series("undertow_bandwidth_route_body_io_bytes_total", "/api/artifacts/{name}", null, "receive"),
                posted[1],
                series("undertow_bandwidth_route_status_body_io_bytes_total", "/api/artifacts/{name}", "2xx",
                        "transmit"), posted[2],
                series("undertow_bandwidth_route_status_requests_total", "/api/**", "4xx", null), 1L,
                series("undertow_bandwidth_route_status_body_io_bytes_total", "/api/**", "4xx", "transmit"),
                missing[2],
                // The health checks have no body in: the upload is every inbound byte, the client's too.
                "undertow_bandwidth_body_io_bytes_total{handler=\"" + HANDLER + "\",network_io_direction=\"receive\"",
                posted[1],
                "undertow_bandwidth_client_body_io_bytes_total{client=\"127.0.0.1\",handler=\"" + HANDLER
                        + "\",network_io_direction=\"receive\"", posted[1]);
        String[] text = {""};
        try {
            await("the agent's metrics to equal curl's counts " + expected, log, () -> {
                text[0] = metrics(metricsPort);
                return expected.entrySet().stream()
                        .allMatch(e -> List.of(e.getValue()).equals(values(text[0], e.getKey())));
            });
        } catch (AssertionError e) {
            Map<String, List<Long>> seen = new TreeMap<>();
            expected.keySet().forEach(k -> seen.put(k, values(text[0], k)));
            throw new AssertionError("the agent's last values: " + seen + "; " + e.getMessage(), e);
        }
        return text[0];
    }

    /**
     * The start of a series' line in the agent's exposition, its labels in the exporter's (alphabetical) order; a
     * {@code null} status class or direction: a series without that label.
     */
    private static String series(String name, String route, String statusClass, String direction) {
        return name + "{handler=\"" + HANDLER + "\""
                + (statusClass == null ? "" : ",http_response_status_class=\"" + statusClass + "\"")
                + ",http_route=\"" + route + "\""
                + (direction == null ? "" : ",network_io_direction=\"" + direction + "\"");
    }

    /** The values of the lines that start with {@code wanted}: one per series of that name and labels. */
    private static List<Long> values(String text, String wanted) {
        return text.lines().filter(line -> line.startsWith(wanted + ",") || line.startsWith(wanted + "}"))
                .map(line -> Math.round(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))).toList();
    }

    private int status(int port, String path) {
        HttpResponse<String> response = Children.get(port, path);
        return response == null ? -1 : response.statusCode();
    }

    private String metrics(int port) {
        HttpResponse<String> response = Children.get(port, "/metrics");
        return response == null ? "" : response.body();
    }


    /** Polls every 200 ms for up to 90 s (the JVM starts, the agent looks for MBeans every second at first). */
    private void await(String what, Path log, BooleanSupplier condition) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.getAsBoolean()) {
            if (!app.isAlive() || System.nanoTime() > deadline) {
                List<String> lines = Files.readAllLines(log);
                throw new AssertionError((app.isAlive() ? "not within 90 s: " : "the application exited while "
                        + "waiting for: ") + what + "; its log ends:\n"
                        + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
            }
            java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L);
        }
    }
}
