package io.github.httpbandwidth;

/**
 * A body size histogram laid out in {@link StripedCounters} slots: one slot per bucket from {@code base}, then
 * one for the sum of sizes.
 *
 * <p>Only per-bucket counts are kept; cumulative counts and the total count are derived from one read of them,
 * so {@code +Inf} always equals the count.
 */
final class SizeHistogram {

    private final SizeBuckets buckets;
    private final int base;
    private final int sumSlot;

    SizeHistogram(SizeBuckets buckets, int base) {
        this.buckets = buckets;
        this.base = base;
        this.sumSlot = base + buckets.count();
    }

    /** Slots taken: the buckets and the sum. */
    static int width(SizeBuckets buckets) {
        return buckets.count() + 1;
    }

    /** Called by the cell's owner thread only. */
    void record(StripedCounters.Cell cell, long sizeBytes) {
        cell.add(base + buckets.indexOf(sizeBytes), 1);
        cell.add(sumSlot, sizeBytes);
    }

    /** {@link #record(StripedCounters.Cell, long)} into the owner thread's row ({@link StripedCounters.Cell#owned}). */
    void record(long[] owned, long sizeBytes) {
        StripedCounters.add(owned, base + buckets.indexOf(sizeBytes), 1);
        StripedCounters.add(owned, sumSlot, sizeBytes);
    }

    /** From slots summed (or risen over a window) into {@code sums}, with the largest body of the same span. */
    HistogramSnapshot snapshot(long[] sums, long maxBytes) {
        long[] cumulative = new long[buckets.count()];
        long running = 0;
        for (int i = 0; i < cumulative.length; i++) {
            running += sums[base + i];
            cumulative[i] = running;
        }
        return new HistogramSnapshot(buckets.upperBounds(), cumulative, sums[sumSlot], maxBytes);
    }
}
