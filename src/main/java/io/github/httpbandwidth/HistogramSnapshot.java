package io.github.httpbandwidth;

import java.util.Arrays;

/**
 * One consistent read of a body size histogram: cumulative bucket counts, their total, the sum of sizes and the
 * largest size, since counting started or over a recent window.
 *
 * <p>Quantiles ({@link #quantileBytes}) of a handler's histograms come from a finer layout kept beside the buckets
 * for the console: within 1.6% of the true order statistic, exact when the sizes around the rank are one size. The
 * buckets are what the JMX exporter exports; over them Prometheus's {@code histogram_quantile} interpolates
 * linearly inside the bucket that holds the rank, which with the default buckets (powers of 2) can be off by up to
 * the bucket's width, a factor of 2.
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
    private final long maxBytes;
    /** The finer layout the console's quantiles come from; {@code null} for a histogram that has none. */
    private final FineSizes.Read fine;

    HistogramSnapshot(long[] upperBounds, long[] cumulativeCounts, long sumBytes, long maxBytes, FineSizes.Read fine) {
        this.upperBounds = upperBounds;
        this.cumulativeCounts = cumulativeCounts;
        this.sumBytes = sumBytes;
        this.maxBytes = maxBytes;
        this.fine = fine;
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

    /** The largest recorded body, in bytes (exact, not estimated); 0 before the first record. */
    public long maxBytes() {
        return maxBytes;
    }

    /**
     * The {@code q}-quantile of the recorded body sizes, in bytes; 0 before the first record. For a handler's
     * histograms ({@link BandwidthSnapshot#requestSizes()} and the others) it comes from a finer layout kept beside
     * the buckets: the nearest-rank order statistic (the size at rank {@code max(1, ceil(q × count))} of the sizes in
     * ascending order), exact where the sizes around that rank were all the same size (a few distinct sizes read
     * exactly), else within 1/64 (1.6%) of it; 0 to 64 bytes always exact. Otherwise estimated from the buckets as
     * Prometheus's {@code histogram_quantile} does (see the class description), at most a bucket's width off.
     * Never above {@link #maxBytes()}.
     *
     * @param q from 0 to 1, for example 0.99
     * @throws IllegalArgumentException when {@code q} is outside {@code [0, 1]}
     */
    public double quantileBytes(double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("q: got " + q + "; allowed are 0 to 1 (0.99 for the 99th percentile)");
        }
        if (fine != null) {
            return fine.quantile(q, maxBytes);
        }
        return interpolatedBytes(q);
    }

    /** The {@code q}-quantile estimated from the buckets, as {@code histogram_quantile} does, capped at the largest. */
    double interpolatedBytes(double q) {
        long count = count();
        if (count == 0) {
            return 0.0;
        }
        double rank = q * count;
        int bucket = 0;
        while (bucket < upperBounds.length && cumulativeCounts[bucket] < rank) {
            bucket++;
        }
        if (bucket == upperBounds.length) {
            // The +Inf bucket has no upper bound to interpolate to; the largest body is the best figure there is.
            return maxBytes;
        }
        long below = bucket == 0 ? 0 : cumulativeCounts[bucket - 1];
        double lower = bucket == 0 ? 0 : upperBounds[bucket - 1];
        double upper = upperBounds[bucket];
        double estimate = lower + (upper - lower) * (rank - below) / (cumulativeCounts[bucket] - below);
        return Math.min(estimate, maxBytes);
    }

    @Override
    public String toString() {
        return "HistogramSnapshot{le=" + Arrays.toString(upperBounds) + "+Inf, cumulative="
                + Arrays.toString(cumulativeCounts) + ", sumBytes=" + sumBytes + ", maxBytes=" + maxBytes + '}';
    }
}
