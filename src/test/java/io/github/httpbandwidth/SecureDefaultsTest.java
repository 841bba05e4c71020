package io.github.httpbandwidth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Nothing shipped opens a door: the agent on loopback, no remote JMX, no secrets in git, an authenticated agent. */
class SecureDefaultsTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();

    @Test
    void everyShippedAgentArgumentBindsToLoopback() throws Exception {
        Pattern agent = Pattern.compile("-javaagent:[^\\s=]+=([^:\\s\"'`]+):");
        int seen = 0;
        for (Path file : shippedTextFiles()) {
            Matcher m = agent.matcher(Files.readString(file));
            while (m.find()) {
                seen++;
                assertThat(m.group(1)).as(file + ": " + m.group()).isEqualTo("127.0.0.1");
            }
        }
        assertThat(seen).as("agent arguments found in shipped files").isGreaterThanOrEqualTo(4);
    }

    @Test
    void nothingShippedOpensARemoteJmxPort() throws Exception {
        for (Path file : shippedTextFiles()) {
            assertThat(Files.readString(file)).as(file.toString())
                    .doesNotContain("jmxremote.port", "jmxremote.authenticate=false", "jmxremote.rmi.port");
        }
    }

    @Test
    void secretsAndKeysAreIgnoredAndNoneIsTracked() throws Exception {
        for (String path : List.of(".env", "examples/.env", "master.p12", "keys/agent.jks", "tls/server.pem",
                "tls/server.key", "examples/scheduler-master/state/tls/master.p12", "target/agent.jar")) {
            Shell.Result ignored = Shell.run(ROOT, Map.of(), "git check-ignore -q --no-index '" + path + "'", 30);
            assertThat(ignored.exitCode()).as(path + " must be ignored by .gitignore").isZero();
        }
        String tracked = Shell.run(ROOT, Map.of(), "git ls-files", 30).output();
        assertThat(tracked.lines()).isNotEmpty().noneMatch(
                f -> f.endsWith(".env") || f.matches(".*\\.(jks|p12|pem|key|jar)$") || f.contains("/state/")
                        || f.startsWith("target/"));
    }

    @Test
    void theSecureAgentConfigurationWantsTlsAndTheRightPassword(@TempDir Path dir) throws Exception {
        assertSecureAgent(dir, Map.of());
    }

    @Test
    void aPasswordHashWithLeadingZerosIsAcceptedToo(@TempDir Path dir) throws Exception {
        // The agent writes the digest it computes without leading zeros; one salt in 16 gives such a hash.
        String salt = null;
        for (int i = 0; salt == null; i++) {
            if (sha256Hex("z" + i + ":correct horse").startsWith("0")) {
                salt = "z" + i;
            }
        }
        assertSecureAgent(dir, Map.of("AGENT_AUTH_SALT", salt));
    }

    private static void assertSecureAgent(Path dir, Map<String, String> env) throws Exception {
        Shell.Result made = Shell.run(ROOT, env, "printf '%s' 'correct horse' | examples/secure-agent/make-config.sh "
                + "prometheus " + dir, 120);
        assertThat(made.exitCode()).as(made.output()).isZero();
        Path config = dir.resolve("jmx-exporter-secure.yaml");
        assertThat(Files.readString(config)).doesNotContain("correct horse").contains("passwordHash: ", "rules:");
        assertThat(Files.getPosixFilePermissions(config)).extracting(Object::toString)
                .containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");

        try (AgentJvm app = AgentJvm.start("secure", BandwidthStats.DEFAULT_ENDPOINT_CAP, config)) {
            String url = "https://127.0.0.1:" + app.metricsPort() + "/metrics";
            assertThat(status("curl -sk -o /dev/null -w '%{http_code}' " + url)).isEqualTo("401");
            assertThat(status("curl -sk -o /dev/null -w '%{http_code}' -u prometheus:wrong " + url)).isEqualTo("401");
            assertThat(status("curl -sk -o /dev/null -w '%{http_code}' -u 'someone:correct horse' " + url)).isEqualTo("401");
            assertThat(status("curl -sk -o /dev/null -w '%{http_code}' -u 'prometheus:correct horse' " + url)).isEqualTo("200");
            assertThat(status("curl -sk -u 'prometheus:correct horse' " + url)).contains("scheduler_http_requests_total");
            assertThat(status("curl -s -o /dev/null -w '%{http_code}' -u 'prometheus:correct horse' http://127.0.0.1:"
                    + app.metricsPort() + "/metrics")).as("plain HTTP is not served").isNotEqualTo("200");
        }
    }

    private static String sha256Hex(String text) throws Exception {
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(
                java.nio.charset.StandardCharsets.UTF_8));
        StringBuilder hex = new StringBuilder();
        for (byte b : digest) {
            hex.append(String.format("%02x", b));
        }
        return hex.toString();
    }

    private static String status(String curl) throws Exception {
        return Shell.run(ROOT, Map.of(), curl, 60).output().trim();
    }

    /** Tracked files outside the tests: what users get. */
    private static List<Path> shippedTextFiles() throws Exception {
        List<Path> files = new ArrayList<>();
        for (String f : Shell.run(ROOT, Map.of(), "git ls-files", 30).output().lines().toList()) {
            if (!f.startsWith("src/test/") && f.matches(".*\\.(md|sh|yaml|yml|java|json|xml|conf)$|.*/run$")) {
                files.add(ROOT.resolve(f));
            }
        }
        return files;
    }
}
