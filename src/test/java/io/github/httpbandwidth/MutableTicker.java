package io.github.httpbandwidth;

import java.time.Duration;
import java.util.function.LongSupplier;

/** Monotonic nanoseconds that only move when the test moves them. */
final class MutableTicker implements LongSupplier {

    private volatile long nanos = 1_000_000_000_000L;

    void advance(Duration duration) {
        nanos += duration.toNanos();
    }

    void set(long nanos) {
        this.nanos = nanos;
    }

    @Override
    public long getAsLong() {
        return nanos;
    }
}
