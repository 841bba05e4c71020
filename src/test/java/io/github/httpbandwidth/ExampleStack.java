package io.github.httpbandwidth;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The example stack as a user starts it, with examples/full-stack-deploy.sh, on free ports and with its state
 * and .env in a temporary directory; curl talks to it from that directory.
 */
final class ExampleStack implements AutoCloseable {

    private static final Path ROOT = Path.of("").toAbsolutePath();

    final Path work;
    final int masterPort;
    final int metricsPort;
    final int prometheusPort;
    private final Map<String, String> env = new HashMap<>();

    /**
     * Master i listens on MASTER_PORT + i - 1 and its agent on METRICS_PORT + 2(i - 1): those are picked free, and
     * apart from every port the caller gives (a collector's, the central store's), which the script would refuse.
     */
    private ExampleStack(Path work, Map<String, String> extraEnv) {
        this.work = work;
        int masters = Integer.parseInt(extraEnv.getOrDefault("MASTERS", "1"));
        java.util.Set<Integer> avoid = new java.util.HashSet<>();
        extraEnv.forEach((name, value) -> {
            if (name.endsWith("_PORT")) {
                // Collector g listens on COLLECTOR_PORT + g - 1, up to 9 of them.
                for (int k = 0; k < (name.equals("COLLECTOR_PORT") ? 9 : 1); k++) {
                    avoid.add(Integer.parseInt(value) + k);
                }
            }
        });
        masterPort = Ports.freeRun(masters, 1, avoid);
        metricsPort = Ports.freeRun(masters, 2, avoid);
        prometheusPort = Ports.freeRun(1, 1, avoid);
        env.put("MASTER_PORT", Integer.toString(masterPort));
        env.put("METRICS_PORT", Integer.toString(metricsPort));
        env.put("PROMETHEUS_PORT", Integer.toString(prometheusPort));
        env.put("STACK_STATE_DIR", work.resolve("state").toString());
        env.put("MASTER_ENV_FILE", work.resolve(".env").toString());
        env.putAll(extraEnv);
    }

    /** Runs {@code start}; fails with its output unless it succeeds. */
    static ExampleStack start(Path work, Map<String, String> extraEnv) throws Exception {
        ExampleStack stack = new ExampleStack(work, extraEnv);
        Shell.Result started = stack.script("start");
        if (started.exitCode() != 0 || !started.output().contains("The stack runs.")) {
            stack.close();
            throw new AssertionError("full-stack-deploy.sh start failed:\n" + started.output());
        }
        return stack;
    }

    Shell.Result script(String command) throws Exception {
        return Shell.run(ROOT, env, "examples/full-stack-deploy.sh " + command, 600);
    }

    String masterUrl(String path) {
        return "https://127.0.0.1:" + masterPort + path;
    }

    /** curl with the API key from .env; returns what it printed (the -w output, typically), trimmed. */
    String curl(String args) throws Exception {
        Shell.Result result = Shell.run(work, Map.of(), "source .env && curl -sk -H \"Authorization: Bearer "
                + "$MASTER_API_KEY\" " + args, 120);
        if (result.exitCode() != 0) {
            throw new AssertionError("curl " + args + " failed: " + result.output());
        }
        return result.output().trim();
    }

    Exposition scrape() throws Exception {
        return Exposition.parse(Shell.run(work, Map.of(), "curl -s http://127.0.0.1:" + metricsPort + "/metrics", 60)
                .output());
    }

    /** A sample of the master's handler ({@code handler="master"} is added to the labels). */
    double metric(String name, Map<String, String> labels) {
        try {
            Map<String, String> all = new HashMap<>(labels);
            all.put("handler", "master");
            return scrape().value(name, all);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    PrometheusApi prometheus() {
        return new PrometheusApi(prometheusPort);
    }

    @Override
    public void close() throws IOException {
        Shell.Result stopped;
        try {
            stopped = Shell.run(ROOT, env, "examples/full-stack-deploy.sh stop", 120);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping the stack", e);
        }
        if (stopped.exitCode() != 0) {
            throw new AssertionError("full-stack-deploy.sh stop failed:\n" + stopped.output());
        }
    }
}
