package io.github.httpbandwidth;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A child JVM running {@link ExporterTestApp} under the real jmx_prometheus_javaagent jar, bound to 127.0.0.1. */
final class AgentJvm implements AutoCloseable {

    /**
     * Benchmarks only (examples/benchmarks/scrape-cost.sh, AGENT=assembled-1.7): a class path holding
     * examples/benchmarks/AssembledAgent and the agent 1.7.0's parts from Maven Central, which then stands in for the
     * real agent jar (later agents than 1.0.1 are not on Maven Central). The suite never sets it.
     */
    static final String ASSEMBLED_AGENT = "assembled.agent.classpath";

    private final Process process;
    private final int httpPort;
    private final int metricsPort;
    private final List<String> output;
    private final Launch launch;
    private final HttpClient client = HttpClient.newHttpClient();

    private AgentJvm(Process process, int httpPort, int metricsPort, List<String> output, Launch launch) {
        this.process = process;
        this.httpPort = httpPort;
        this.metricsPort = metricsPort;
        this.output = output;
        this.launch = launch;
    }

    /** What a child JVM is started with; the row hold is this JVM's (none in the suite) unless given. */
    record Launch(String name, int endpointCap, int clientCapacity, Path config, String rowHoldSeconds) {
        Launch(String name, int endpointCap, int clientCapacity, Path config) {
            this(name, endpointCap, clientCapacity, config, System.getProperty(RowHold.PROPERTY));
        }
    }

    /** Starts the app as {@code launch} says, on a free agent port (another on a clash, 3 tries). */
    static AgentJvm start(Launch launch) throws Exception {
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                return launch(launch, Ports.free());
            } catch (IllegalStateException e) {
                last = e;
            }
        }
        throw last;
    }

    /** Stops this JVM and starts the same app again on the same agent port: a restarted master. */
    AgentJvm restart() throws Exception {
        close();
        return launch(launch, metricsPort);
    }

    /** Starts the app with the shipped rules file; retries on another port if the agent's port was taken. */
    static AgentJvm start(String name, int endpointCap) throws Exception {
        return start(name, endpointCap, Path.of("jmx-exporter-config.yaml"));
    }

    /** Starts the app with the given agent configuration. */
    static AgentJvm start(String name, int endpointCap, Path config) throws Exception {
        return start(name, endpointCap, ClientTable.DEFAULT_CAPACITY, config);
    }

    /** Starts the app with the given agent configuration and client capacity. */
    static AgentJvm start(String name, int endpointCap, int clientCapacity, Path config) throws Exception {
        return start(new Launch(name, endpointCap, clientCapacity, config));
    }

    private static AgentJvm launch(Launch launch, int metricsPort) throws Exception {
        String agent = requiredFile("jmx.exporter.agent");
        String classPath = "target/classes" + java.io.File.pathSeparator + "target/test-classes"
                + java.io.File.pathSeparator + Files.readString(Path.of(requiredFile("child.jvm.classpath.file"))).trim();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m",
                "-Djava.util.logging.config.file=src/test/resources/logging.properties"));
        if (launch.rowHoldSeconds() != null) {
            command.add("-D" + RowHold.PROPERTY + "=" + launch.rowHoldSeconds());
        }
        String assembled = System.getProperty(ASSEMBLED_AGENT);
        String separator = System.getProperty("path.separator");
        if (assembled == null) {
            command.addAll(List.of("-javaagent:" + agent + "=127.0.0.1:" + metricsPort + ":" + launch.config(),
                    "-cp", classPath));
        } else {
            command.addAll(List.of("-cp", classPath + separator + assembled, "assembled.AssembledAgent",
                    "127.0.0.1:" + metricsPort + ":" + launch.config()));
        }
        command.addAll(List.of(ExporterTestApp.class.getName(), launch.name(),
                Integer.toString(launch.endpointCap()), Integer.toString(launch.clientCapacity())));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> output = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Integer> httpPort = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    output.add(line);
                    if (line.startsWith("HTTP_PORT=")) {
                        httpPort.complete(Integer.parseInt(line.substring(10)));
                    }
                }
            } catch (IOException e) {
                httpPort.completeExceptionally(e);
            }
            httpPort.completeExceptionally(new IllegalStateException("child JVM ended: " + output));
        }, "agent-jvm-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return new AgentJvm(process, httpPort.get(60, TimeUnit.SECONDS), metricsPort, output, launch);
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new IllegalStateException("the app under the agent did not start: " + output, e);
        }
    }

    private static String requiredFile(String property) {
        String value = System.getProperty(property);
        if (value == null || !Files.isRegularFile(Path.of(value))) {
            throw new IllegalStateException("system property " + property + " must name a file (set by the pom; "
                    + "run through Maven): " + value);
        }
        return value;
    }

    String httpBase() {
        return "http://127.0.0.1:" + httpPort;
    }

    int metricsPort() {
        return metricsPort;
    }

    /** One scrape of the agent's /metrics, in the Prometheus text format. */
    String scrape() throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("scrape answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    List<String> output() {
        return List.copyOf(output);
    }

    @Override
    public void close() throws IOException {
        // The app stops when its standard input closes.
        process.getOutputStream().close();
        Executables.awaitExit(process);
    }
}
