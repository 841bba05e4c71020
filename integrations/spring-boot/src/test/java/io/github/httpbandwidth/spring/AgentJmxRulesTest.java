package io.github.httpbandwidth.spring;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which of the OpenTelemetry agent's {@code otel.jmx.config} files read the library's MBeans, found where the agent
 * finds the setting. (The agent itself, with its Micrometer bridge, is run by the example's {@code OtelAgentTest}.)
 */
class AgentJmxRulesTest {

    @TempDir
    Path dir;

    @Test
    void theFilesThatNameTheLibrarysDomainFromTheSystemPropertyFirst() throws Exception {
        Path shipped = Files.copy(Path.of("../opentelemetry/bandwidth-otel-rules.yaml"), dir.resolve("bandwidth.yaml"));
        Path other = Files.writeString(dir.resolve("kafka.yaml"), "rules:\n  - bean: kafka.server:type=*\n");
        String both = other + " , " + shipped + ",";

        assertThat(rules(Map.of("otel.jmx.config", both), Map.of())).containsExactly(shipped.toString());
        assertThat(rules(Map.of("otel.jmx.config", other.toString()), Map.of())).isEmpty();
        // The system property wins over the environment, as in the agent.
        assertThat(rules(Map.of("otel.jmx.config", other.toString()), Map.of("OTEL_JMX_CONFIG", shipped.toString())))
                .isEmpty();
        assertThat(rules(Map.of(), Map.of("OTEL_JMX_CONFIG", shipped.toString()))).containsExactly(shipped.toString());
        assertThat(rules(Map.of("otel.jmx.config", " "), Map.of("OTEL_JMX_CONFIG", shipped.toString())))
                .as("a blank setting is none").containsExactly(shipped.toString());
        assertThat(rules(Map.of(), Map.of())).isEmpty();
    }

    @Test
    void theAgentsConfigurationFileWhenNeitherIsSet() throws Exception {
        Path shipped = Files.copy(Path.of("../opentelemetry/bandwidth-otel-rules.yaml"), dir.resolve("bandwidth.yaml"));
        Path file = Files.writeString(dir.resolve("agent.properties"),
                "otel.service.name=jobs\notel.jmx.config=" + shipped.toString().replace("\\", "\\\\") + "\n");

        assertThat(rules(Map.of("otel.javaagent.configuration-file", file.toString()), Map.of()))
                .containsExactly(shipped.toString());
        assertThat(rules(Map.of(), Map.of("OTEL_JAVAAGENT_CONFIGURATION_FILE", file.toString())))
                .containsExactly(shipped.toString());
        // Set directly, the setting wins over the file.
        assertThat(rules(Map.of("otel.javaagent.configuration-file", file.toString()),
                Map.of("OTEL_JMX_CONFIG", dir.resolve("none.yaml").toString()))).isEmpty();
    }

    @Test
    void whatCannotBeReadReadsNothing() throws Exception {
        Path malformed = Files.writeString(dir.resolve("bad.properties"), "otel.jmx.config=\\u12\n");
        assertThat(rules(Map.of("otel.jmx.config", dir.resolve("missing.yaml") + "," + dir + ",\0"), Map.of()))
                .isEmpty();
        assertThat(rules(Map.of("otel.javaagent.configuration-file", malformed.toString()), Map.of())).isEmpty();
        assertThat(rules(Map.of("otel.javaagent.configuration-file", dir.resolve("missing").toString()), Map.of()))
                .isEmpty();
    }

    private static java.util.List<String> rules(Map<String, String> systemProperties, Map<String, String> environment) {
        return AgentJmxRules.readingTheseMBeans(systemProperties::get, environment::get);
    }
}
