package io.github.httpbandwidth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The stack script refuses, with a message naming the problem, before anything starts. */
class StackPreflightTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();

    @Test
    void aRulesFileTheAgentRejectsIsReportedAndNothingStarts(@TempDir Path work) throws Exception {
        Path broken = work.resolve("broken.yaml");
        Files.writeString(broken, "rules:\n  - pattern: '(unclosed'\n    name: x\n");
        Map<String, String> env = env(work, Map.of("JMX_EXPORTER_CONFIG", broken.toString()));

        Shell.Result start = Shell.run(ROOT, env, "examples/full-stack-deploy.sh start", 600);

        assertThat(start.exitCode()).isEqualTo(1);
        assertThat(start.output()).contains("the JMX exporter agent refuses its configuration", "nothing was started",
                "PatternSyntaxException");
        assertThat(Shell.run(ROOT, env, "examples/full-stack-deploy.sh status", 60).output())
                .contains("master:     not running", "prometheus: not running");
    }

    @Test
    void aTakenPortIsNamed(@TempDir Path work) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Map<String, String> env = env(work, Map.of("METRICS_PORT", Integer.toString(taken.getLocalPort())));

            Shell.Result start = Shell.run(ROOT, env, "examples/full-stack-deploy.sh start", 600);

            assertThat(start.exitCode()).isEqualTo(1);
            assertThat(start.output()).contains("port " + taken.getLocalPort() + " (METRICS_PORT) on 127.0.0.1 is taken",
                    "Nothing was started.");
        }
    }

    /**
     * Two parts of the stack given one port (here collector 1 and master 2's agent, METRICS_PORT + 2): refused
     * before anything starts. Before, the collector died on its bind while master 2's agent answered the collector's
     * health check, and the stack said it ran with no collector.
     */
    @Test
    void twoPartsOfTheStackOnOnePortAreNamed(@TempDir Path work) throws Exception {
        int metrics = Ports.free();
        int master = Ports.free();
        Map<String, String> env = env(work, Map.of("MASTERS", "2", "CENTRAL", "1",
                "MASTER_PORT", Integer.toString(master), "METRICS_PORT", Integer.toString(metrics),
                "COLLECTOR_PORT", Integer.toString(metrics + 2), "CENTRAL_PORT", Integer.toString(Ports.free()),
                "VMALERT_PORT", Integer.toString(master + 1)));

        try {
            Shell.Result start = Shell.run(ROOT, env, "examples/full-stack-deploy.sh start", 600);

            assertThat(start.exitCode()).isEqualTo(1);
            assertThat(start.output()).contains("port " + (master + 1) + " is both master 2's MASTER_PORT+1 and"
                    + " VMALERT_PORT; port " + (metrics + 2) + " is both master 2's METRICS_PORT+2 and COLLECTOR_PORT;"
                    + " set them apart. Nothing was started.");
            assertThat(Shell.run(ROOT, env, "examples/full-stack-deploy.sh status", 60).output())
                    .contains("master:     not running").doesNotContain("pid");
        } finally {
            Shell.run(ROOT, env, "examples/full-stack-deploy.sh stop", 120);
        }
    }

    /**
     * A part that fails after others have started (the collector's port bound, not listening, so the preflight's
     * connect finds it free): start says which part, that what started runs on, and how to see and stop it.
     */
    @Test
    void aPartThatFailsToStartIsNamedAndWhatRunsIsSaid(@TempDir Path work) throws Exception {
        int metrics = Ports.free();
        try (java.net.Socket holder = new java.net.Socket()) {
            holder.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int collector = holder.getLocalPort();
            Map<String, String> env = env(work, Map.of("CENTRAL", "1", "METRICS_PORT", Integer.toString(metrics),
                    "COLLECTOR_PORT", Integer.toString(collector), "CENTRAL_PORT", Integer.toString(Ports.free()),
                    "VMALERT_PORT", Integer.toString(Ports.free())));
            try {
                Shell.Result start = Shell.run(ROOT, env, "examples/full-stack-deploy.sh start", 600);

                assertThat(start.exitCode()).isEqualTo(1);
                assertThat(start.output()).contains("Collector 1 (vmagent) exited while starting",
                        "bind: address already in use", "What had started runs on: 'examples/full-stack-deploy.sh"
                                + " status' lists it, 'stop' stops it.");
                assertThat(Shell.run(ROOT, env, "examples/full-stack-deploy.sh status", 60).output())
                        .contains("master:     running", "central:    running").doesNotContain("collector 1: running");
            } finally {
                Shell.run(ROOT, env, "examples/full-stack-deploy.sh stop", 120);
            }
        }
    }

    private static Map<String, String> env(Path work, Map<String, String> extra) {
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "MASTER_PORT", Integer.toString(Ports.free()),
                "METRICS_PORT", Integer.toString(Ports.free()),
                "PROMETHEUS_PORT", Integer.toString(Ports.free()),
                "STACK_STATE_DIR", work.resolve("state").toString(),
                "MASTER_ENV_FILE", work.resolve(".env").toString()));
        env.putAll(extra);
        return env;
    }
}
