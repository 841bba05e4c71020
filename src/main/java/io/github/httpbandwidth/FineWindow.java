package io.github.httpbandwidth;

/**
 * The fine sizes' counts ({@link FineSizes}) at each {@value RateTracker#TICK_SECONDS}-second tick for the last
 * minute and a little more, so that the console's last-minute percentiles are the rise since the newest sample at
 * least a minute old: the same ticks and the same rule as {@link RateTracker}'s last minute.
 *
 * <p>A sample keeps only the chunks of {@value FineSizes#SUB} buckets that have a count, so it costs what the
 * traffic's sizes spread over, not the whole layout. Thread-safe; readers and the sampler synchronize.
 */
final class FineWindow {

    private static final int SLOTS = (int) (RateTracker.ONE_MINUTE_NANOS / RateTracker.TICK_NANOS) + 3;

    private final long startNanos;
    private final long[] times = new long[SLOTS];
    /** Per sample, per direction, per chunk: its counts, or {@code null} when all are 0. */
    private final long[][][][] samples = new long[SLOTS][][][];
    private int newest;
    private int size = 1;

    /** Starts with a sample of zeros at {@code startNanos}. */
    FineWindow(long startNanos) {
        this.startNanos = startNanos;
        times[0] = startNanos;
        samples[0] = new long[0][][];
    }

    private long tick(long nanos) {
        return Math.floorDiv(nanos - startNanos, RateTracker.TICK_NANOS);
    }

    /**
     * Keeps {@code current} as the sample of the tick {@code nowNanos} falls in, unless that tick has one; returns the
     * counts of the newest sample at least a minute old (the oldest kept while the handler is younger), per direction.
     */
    synchronized FineSizes.Read[] sampleAndBaseline(long nowNanos, FineSizes.Read[] current) {
        if (tick(nowNanos) > tick(times[newest])) {
            newest = (newest + 1) % SLOTS;
            times[newest] = nowNanos;
            long[][][] sample = new long[current.length][][];
            for (int d = 0; d < current.length; d++) {
                sample[d] = sparse(current[d].counts);
            }
            samples[newest] = sample;
            size = Math.min(size + 1, SLOTS);
        }
        int index = newest;
        for (int i = 0; i < size; i++) {
            index = Math.floorMod(newest - i, SLOTS);
            if (nowNanos - times[index] >= RateTracker.ONE_MINUTE_NANOS) {
                break;
            }
        }
        long[][][] baseline = samples[index];
        FineSizes.Read[] reads = new FineSizes.Read[current.length];
        for (int d = 0; d < current.length; d++) {
            reads[d] = new FineSizes.Read(dense(d < baseline.length ? baseline[d] : null), null);
        }
        return reads;
    }

    private static long[][] sparse(long[] counts) {
        long[][] chunks = new long[FineSizes.CHUNKS][];
        for (int c = 0; c < FineSizes.CHUNKS; c++) {
            int from = c * FineSizes.SUB;
            int to = Math.min(from + FineSizes.SUB, counts.length);
            for (int i = from; i < to; i++) {
                if (counts[i] != 0) {
                    chunks[c] = java.util.Arrays.copyOfRange(counts, from, to);
                    break;
                }
            }
        }
        return chunks;
    }

    private static long[] dense(long[][] chunks) {
        long[] counts = new long[FineSizes.BUCKETS];
        if (chunks != null) {
            for (int c = 0; c < chunks.length; c++) {
                if (chunks[c] != null) {
                    System.arraycopy(chunks[c], 0, counts, c * FineSizes.SUB, chunks[c].length);
                }
            }
        }
        return counts;
    }
}
