package io.github.httpbandwidth;

/**
 * A body size histogram laid out in {@link StripedCounters} slots: one slot per bucket from {@code base}, then
 * one for the sum of sizes. Readers fill the sum (from the rows' status classes) and, for the default buckets, the
 * bucket counts (from {@link FineSizes}); only other bucket layouts are counted here on the request thread.
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
    }

    int base() {
        return base;
    }

    /** The slot readers put the sum of sizes in. */
    int sumSlot() {
        return sumSlot;
    }

    /** {@link #record(StripedCounters.Cell, long)} into the owner thread's row ({@link StripedCounters.Cell#owned}). */
    void record(long[] owned, long sizeBytes) {
        StripedCounters.add(owned, base + buckets.indexOf(sizeBytes), 1);
    }

    /**
     * From slots summed (or risen over a window) into {@code sums}, with the largest body and the fine sizes of the
     * same span ({@code null}: none).
     */
    HistogramSnapshot snapshot(long[] sums, long maxBytes, FineSizes.Read fine) {
        long[] cumulative = new long[buckets.count()];
        long running = 0;
        for (int i = 0; i < cumulative.length; i++) {
            running += sums[base + i];
            cumulative[i] = running;
        }
        return new HistogramSnapshot(buckets.upperBounds(), cumulative, sums[sumSlot], maxBytes, fine);
    }
}
