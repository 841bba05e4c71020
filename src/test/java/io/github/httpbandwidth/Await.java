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
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("gave up after " + DEADLINE + " waiting for: " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** As {@link #until(String, BooleanSupplier)}, saying what was seen last when it gives up. */
    static void until(String what, BooleanSupplier condition, Supplier<String> seen) {
        try {
            until(what, condition);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last seen: " + seen.get(), e);
        }
    }

    /** Waits until {@code requests} exchanges have completed, then returns a snapshot. */
    static BandwidthSnapshot completed(BandwidthStats stats, long requests) {
        Supplier<BandwidthSnapshot> read = stats::snapshot;
        until(requests + " completed exchanges (and none in flight)", () -> {
            BandwidthSnapshot s = read.get();
            return s.requests() >= requests && s.requestsInFlight() == 0;
        });
        return stats.snapshot();
    }
}
