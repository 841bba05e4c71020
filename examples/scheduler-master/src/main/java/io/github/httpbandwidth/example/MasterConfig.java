package io.github.httpbandwidth.example;

import java.nio.file.Path;
import java.util.Map;

/**
 * The master's settings, from environment variables, each with a default:
 * {@code MASTER_HOST} (127.0.0.1), {@code MASTER_PORT} (8080), {@code MASTER_ENV_FILE} (.env),
 * {@code MASTER_STATE_DIR} (examples/scheduler-master/state: certificate and artifacts),
 * {@code ARTIFACT_MAX_BYTES} (64 MiB), {@code BANDWIDTH_ENABLED} (true), {@code BANDWIDTH_CLIENT_CAPACITY} (50, the
 * library's default: how many top clients the table keeps, 0 to 1000).
 */
record MasterConfig(String host, int port, Path envFile, Path stateDir, long artifactMaxBytes,
                    boolean bandwidthEnabled, int clientCapacity) {

    static MasterConfig fromEnvironment(Map<String, String> env) {
        return new MasterConfig(
                env.getOrDefault("MASTER_HOST", "127.0.0.1"),
                intIn(env, "MASTER_PORT", 8080, 1, 65535),
                Path.of(env.getOrDefault("MASTER_ENV_FILE", ".env")),
                Path.of(env.getOrDefault("MASTER_STATE_DIR", "examples/scheduler-master/state")),
                longAtLeast(env, "ARTIFACT_MAX_BYTES", 64L << 20, 0),
                bool(env, "BANDWIDTH_ENABLED", true),
                intIn(env, "BANDWIDTH_CLIENT_CAPACITY", 50, 0, 1000));
    }

    Path artifactDir() {
        return stateDir.resolve("artifacts");
    }

    Path tlsDir() {
        return stateDir.resolve("tls");
    }

    private static int intIn(Map<String, String> env, String name, int fallback, int min, int max) {
        long value = longAtLeast(env, name, fallback, min);
        if (value > max) {
            throw new IllegalArgumentException(name + "=" + value + " is not allowed; use " + min + " to " + max);
        }
        return (int) value;
    }

    private static long longAtLeast(Map<String, String> env, String name, long fallback, long min) {
        String raw = env.get(name);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            long value = Long.parseLong(raw.trim());
            if (value < min) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + raw + " is not allowed; use a whole number >= " + min);
        }
    }

    private static boolean bool(Map<String, String> env, String name, boolean fallback) {
        String raw = env.get(name);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        return switch (raw.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new IllegalArgumentException(name + "=" + raw + " is not allowed; use true or false");
        };
    }
}
