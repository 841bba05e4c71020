package io.github.httpbandwidth;

import java.util.Arrays;

/**
 * One consistent read of a body size histogram: cumulative bucket counts, their total and the sum of sizes.
 *
 * <p>Immutable. {@code cumulativeCounts()[i]} is the number of bodies of at most {@code upperBounds()[i]} bytes;
 * the last cumulative count is the {@code +Inf} bucket and equals {@link #count()}.
 *
 * <p>Stability: every public method is supported. The default bucket bounds may change in a minor version (they
 * did in 0.2.0), said in the changelog; read them from {@link #upperBounds()}.
 */
public final class HistogramSnapshot {

    private final long[] upperBounds;
    private final long[] cumulativeCounts;
    private final long sumBytes;

    HistogramSnapshot(long[] upperBounds, long[] cumulativeCounts, long sumBytes) {
        this.upperBounds = upperBounds;
        this.cumulativeCounts = cumulativeCounts;
        this.sumBytes = sumBytes;
    }

    /** The finite bucket bounds in bytes, ascending; {@code +Inf} is not included. */
    public long[] upperBounds() {
        return upperBounds.clone();
    }

    /** One entry per finite bound plus a last one for {@code +Inf}. */
    public long[] cumulativeCounts() {
        return cumulativeCounts.clone();
    }

    /** The number of recorded bodies: the {@code +Inf} bucket. */
    public long count() {
        return cumulativeCounts[cumulativeCounts.length - 1];
    }

    /** The sum of all recorded body sizes, in bytes. */
    public long sumBytes() {
        return sumBytes;
    }

    /** {@code sumBytes / count}, or 0 before the first record. */
    public double averageBytes() {
        long count = count();
        return count == 0 ? 0.0 : (double) sumBytes / count;
    }

    @Override
    public String toString() {
        return "HistogramSnapshot{le=" + Arrays.toString(upperBounds) + "+Inf, cumulative="
                + Arrays.toString(cumulativeCounts) + ", sumBytes=" + sumBytes + '}';
    }
}
