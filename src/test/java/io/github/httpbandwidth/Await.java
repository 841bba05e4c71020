package io.github.httpbandwidth;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline: metrics land when an exchange completes, after the client has its answer. */
final class Await {

    static final Duration DEADLINE = Duration.ofSeconds(20);

    private Await() {
    }

    static void until(String what, BooleanSupplier condition) {
        poll(what, DEADLINE, 1_000_000, condition);
    }

    /**
     * As {@link #until(String, BooleanSupplier)}, giving up after {@code limit} and asking every 200 ms: for a
     * condition that waits on something slow, such as a scrape or a row hold, and costs a process or a query to ask.
     */
    static void until(String what, Duration limit, BooleanSupplier condition) {
        poll(what, limit, 200_000_000, condition);
    }

    private static void poll(String what, Duration limit, long pauseNanos, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("gave up after " + limit + " waiting for: " + what);
            }
            LockSupport.parkNanos(pauseNanos);
        }
    }

    /** As {@link #until(String, BooleanSupplier)}, saying what was seen last when it gives up. */
    static void until(String what, BooleanSupplier condition, Supplier<String> seen) {
        telling(seen, () -> until(what, condition));
    }

    /** As {@link #until(String, Duration, BooleanSupplier)}, saying what was seen last when it gives up. */
    static void until(String what, Duration limit, BooleanSupplier condition, Supplier<String> seen) {
        telling(seen, () -> until(what, limit, condition));
    }

    private static void telling(Supplier<String> seen, Runnable wait) {
        try {
            wait.run();
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last seen: " + seen.get(), e);
        }
    }

    /**
     * Waits until {@code requests} exchanges have completed, none is in flight, and the endpoint rows show every
     * completion, then returns a snapshot. The rows matter: a completion counts in the histograms (which give
     * {@code requests}) before its row's request count, so that rows never run ahead of the total; a read between
     * the two sees the total already and the row not yet.
     */
    static BandwidthSnapshot completed(BandwidthStats stats, long requests) {
        Supplier<BandwidthSnapshot> read = stats::snapshot;
        until(requests + " completed exchanges (and none in flight, and all on their rows)", () -> {
            BandwidthSnapshot s = read.get();
            long onRows = s.endpoints().stream().mapToLong(EndpointSnapshot::requests).sum();
            return s.requests() >= requests && s.requestsInFlight() == 0 && onRows == s.requests();
        });
        return stats.snapshot();
    }
}
