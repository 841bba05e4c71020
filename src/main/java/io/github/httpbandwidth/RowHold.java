package io.github.httpbandwidth;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rows born at zero, in the view the JMX exporter reads: a row (an endpoint, an endpoint's status class, a client) is
 * shown with zero counts from the first read of that view that sees it until the hold has passed, then as it is.
 *
 * <p>Why: Prometheus' {@code rate()} and {@code increase()} take a series' first sample as its starting point, so a
 * row whose first sample already held bytes would never have them counted. Held at zero for longer than a scrape
 * interval, every row's first stored sample is 0, and its first exchanges are counted like every later one. The
 * totals are not held: they exist, at 0, from the moment the MBean is registered.
 *
 * <p>The hold counts from a read, not from the exchange, so nothing runs on the request path; a read by anyone
 * (JConsole too) starts it. Endpoint rows and status classes are kept here by name, as many as the endpoint table
 * has; clients keep their own stamps in {@link SpaceSaving.Entry} and {@link ClientTable}.
 */
final class RowHold {

    /** The system property that sets the default hold, in seconds, for every handler built after it is set. */
    static final String PROPERTY = "io.github.httpbandwidth.rowHoldSeconds";
    /** Twice Prometheus' default scrape interval (1 minute): at least two zero samples, one scrape may fail. */
    static final long DEFAULT_SECONDS = 120;
    static final long MAX_SECONDS = 3600;

    private final long holdNanos;
    /**
     * When a read first saw each endpoint row (slot 0) and its status classes (slots 1 to 5), {@link #UNSEEN} before.
     * Rows never leave an endpoint table, so neither do these: at most as many as the table has rows.
     */
    private final Map<String, long[]> seen = new HashMap<>();

    private static final long UNSEEN = Long.MIN_VALUE;

    RowHold(Duration hold) {
        this.holdNanos = hold.toNanos();
    }

    long holdNanos() {
        return holdNanos;
    }

    /** Whether a row first seen at {@code seenNanos} is still shown at zero at {@code now}. */
    boolean held(long seenNanos, long now) {
        return now - seenNanos < holdNanos;
    }

    /** Shows the endpoint rows and status classes of one read as the exported view does at {@code now}, in place. */
    synchronized void apply(List<EndpointSnapshot> rows, List<StatusClassSnapshot> classes, long now) {
        if (holdNanos == 0) {
            return;
        }
        for (int i = 0; i < rows.size(); i++) {
            EndpointSnapshot row = rows.get(i);
            if (held(stamps(row.endpoint()), 0, now)) {
                rows.set(i, new EndpointSnapshot(row.endpoint(), 0, 0, 0, 0, 0, 0));
            }
        }
        for (int i = 0; i < classes.size(); i++) {
            StatusClassSnapshot c = classes.get(i);
            if (held(stamps(c.endpoint()), c.statusClass().charAt(0) - '0', now)) {
                classes.set(i, new StatusClassSnapshot(c.endpoint(), c.statusClass(), 0, 0, 0));
            }
        }
    }

    private long[] stamps(String endpoint) {
        long[] stamps = seen.get(endpoint);
        if (stamps == null) {
            stamps = new long[] {UNSEEN, UNSEEN, UNSEEN, UNSEEN, UNSEEN, UNSEEN};
            seen.put(endpoint, stamps);
        }
        return stamps;
    }

    /** Stamps slot {@code slot} at its first read; whether it is held at {@code now}. */
    private boolean held(long[] stamps, int slot, long now) {
        if (stamps[slot] == UNSEEN) {
            stamps[slot] = now;
        }
        return held(stamps[slot], now);
    }

    /**
     * The default hold: {@value #PROPERTY} when set, else {@value #DEFAULT_SECONDS} seconds.
     *
     * @throws IllegalArgumentException when the property is set to anything but 0 to {@value #MAX_SECONDS}
     */
    static Duration defaultHold() {
        String text = System.getProperty(PROPERTY);
        return text == null ? Duration.ofSeconds(DEFAULT_SECONDS) : parse(PROPERTY, text);
    }

    /** Whole seconds, 0 to {@value #MAX_SECONDS}; the error names {@code parameter}. */
    static Duration parse(String parameter, String text) {
        try {
            return checked(parameter, Duration.ofSeconds(Long.parseLong(text.strip())));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(parameter + ": got " + text + "; " + allowed(), e);
        }
    }

    static Duration checked(String parameter, Duration hold) {
        if (hold.isNegative() || hold.compareTo(Duration.ofSeconds(MAX_SECONDS)) > 0) {
            throw new IllegalArgumentException(parameter + ": got " + hold.toSeconds() + " s; " + allowed());
        }
        return hold;
    }

    private static String allowed() {
        return "allowed are 0 (rows shown as they are) to " + MAX_SECONDS + " seconds (default " + DEFAULT_SECONDS
                + "; more than twice the scrape interval)";
    }
}
