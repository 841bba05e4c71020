package io.github.httpbandwidth;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts body sizes into byte-sized buckets and sums them.
 *
 * <p>Thread-safe and lock-free: {@link #record} touches two {@link LongAdder}s. Only per-bucket counts are kept;
 * the cumulative counts and the total count are derived from one read of them, so {@code +Inf} always equals
 * the count.
 */
final class SizeHistogram {

    private final SizeBuckets buckets;
    private final LongAdder[] counts;
    private final LongAdder sumBytes = new LongAdder();

    SizeHistogram(SizeBuckets buckets) {
        this.buckets = buckets;
        this.counts = new LongAdder[buckets.count()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    void record(long sizeBytes) {
        counts[buckets.indexOf(sizeBytes)].increment();
        sumBytes.add(sizeBytes);
    }

    /** Reads the buckets once; the sum is read after them and may include a record or two they do not. */
    HistogramSnapshot snapshot() {
        long[] cumulative = new long[counts.length];
        long running = 0;
        for (int i = 0; i < counts.length; i++) {
            running += counts[i].sum();
            cumulative[i] = running;
        }
        return new HistogramSnapshot(buckets.upperBounds(), cumulative, sumBytes.sum());
    }
}
