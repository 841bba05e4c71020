package io.github.httpbandwidth;

/**
 * A per-second rate over the last 1, 5 and 15 minutes.
 *
 * <p>Each is the counter's increase over the window divided by the window's length in seconds, so it is exactly
 * {@code 0.0} once a whole window (plus one 5-second tick) has passed without any increase.
 *
 * <p>Stability: the accessors and their meaning are supported; do not construct it.
 */
public record Rate(double oneMinute, double fiveMinutes, double fifteenMinutes) {
}
