package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthStats;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.UnaryOperator;

/**
 * Which rules files of the OpenTelemetry Java agent's JMX Metric Insight read this library's MBeans: those among
 * {@code otel.jmx.config} that name the library's JMX domain. Read where the agent reads the setting, first found
 * first: the system property, the environment variable {@code OTEL_JMX_CONFIG}, then the agent's configuration file
 * ({@code otel.javaagent.configuration-file}, itself a system property or {@code OTEL_JAVAAGENT_CONFIGURATION_FILE}).
 * Files are the operator's, read once at start-up, at most {@value #MAX_READ} bytes each; one that cannot be read
 * counts as not reading them.
 */
final class AgentJmxRules {

    static final int MAX_READ = 1 << 20;

    private AgentJmxRules() {
    }

    /** The rules files that read this library's MBeans, as {@code otel.jmx.config} names them; empty when none. */
    static List<String> readingTheseMBeans(UnaryOperator<String> systemProperties, UnaryOperator<String> environment) {
        String config = setting(systemProperties, environment);
        List<String> reading = new ArrayList<>();
        if (config == null) {
            return reading;
        }
        for (String file : config.split(",")) {
            String path = file.trim();
            if (!path.isEmpty() && names(path, BandwidthStats.JMX_DOMAIN)) {
                reading.add(path);
            }
        }
        return reading;
    }

    private static String setting(UnaryOperator<String> systemProperties, UnaryOperator<String> environment) {
        String config = present(systemProperties.apply("otel.jmx.config"));
        if (config == null) {
            config = present(environment.apply("OTEL_JMX_CONFIG"));
        }
        if (config != null) {
            return config;
        }
        String file = present(systemProperties.apply("otel.javaagent.configuration-file"));
        if (file == null) {
            file = present(environment.apply("OTEL_JAVAAGENT_CONFIGURATION_FILE"));
        }
        if (file == null) {
            return null;
        }
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
            properties.load(in);
        } catch (IOException | IllegalArgumentException e) {
            // Unreadable, not a path (InvalidPathException), or a malformed Unicode escape in the file.
            return null;
        }
        return present(properties.getProperty("otel.jmx.config"));
    }

    private static String present(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /** Whether the first {@value #MAX_READ} bytes of the file at {@code path} hold {@code text}. */
    private static boolean names(String path, String text) {
        try (InputStream in = Files.newInputStream(Path.of(path))) {
            return new String(in.readNBytes(MAX_READ), StandardCharsets.UTF_8).contains(text);
        } catch (IOException | InvalidPathException e) {
            return false;
        }
    }
}
