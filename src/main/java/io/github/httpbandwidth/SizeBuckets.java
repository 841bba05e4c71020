package io.github.httpbandwidth;

import java.util.Arrays;

/**
 * The upper bounds, in bytes, of a body size histogram's buckets; a final {@code +Inf} bucket is implied.
 *
 * <p>Immutable and thread-safe. A size {@code s} falls into the first bucket whose bound is {@code >= s},
 * the same {@code le} (less than or equal) rule Prometheus uses.
 */
final class SizeBuckets {

    /** The largest number of finite bounds a layout may have; each one costs a counter and a row per read. */
    static final int MAX_BOUNDS = 64;

    private static final SizeBuckets POWERS_OF_TWO = powersOfTwo();

    private final long[] upperBounds;
    private final boolean powersOfTwo;

    private SizeBuckets(long[] upperBounds, boolean powersOfTwo) {
        this.upperBounds = upperBounds;
        this.powersOfTwo = powersOfTwo;
    }

    /**
     * 0, 1, 2, 4, ... 1 GiB: 32 finite bounds, so a bucket spans at most a factor of 2 and a percentile estimated
     * from it (Prometheus' {@code histogram_quantile} interpolates linearly inside the bucket) is at most 2x off
     * for any body up to 1 GiB.
     */
    static SizeBuckets defaultLayout() {
        return POWERS_OF_TWO;
    }

    private static SizeBuckets powersOfTwo() {
        long[] bounds = new long[32];
        bounds[0] = 0;
        for (int i = 1; i < bounds.length; i++) {
            bounds[i] = 1L << (i - 1);
        }
        return new SizeBuckets(bounds, true);
    }

    /**
     * A layout from explicit bounds.
     *
     * @throws IllegalArgumentException unless there are 1 to 64 bounds, each {@code >= 0}, strictly increasing
     */
    static SizeBuckets of(long... upperBounds) {
        if (upperBounds == null || upperBounds.length == 0 || upperBounds.length > MAX_BOUNDS) {
            throw new IllegalArgumentException("size bucket bounds: got "
                    + (upperBounds == null ? "null" : upperBounds.length + " bounds")
                    + "; allowed are 1 to " + MAX_BOUNDS + " bounds in bytes (+Inf is added by itself)");
        }
        for (int i = 0; i < upperBounds.length; i++) {
            if (upperBounds[i] < 0 || (i > 0 && upperBounds[i] <= upperBounds[i - 1])) {
                throw new IllegalArgumentException("size bucket bounds: " + Arrays.toString(upperBounds)
                        + " is not allowed; bounds are byte counts >= 0 in strictly increasing order");
            }
        }
        long[] bounds = upperBounds.clone();
        return new SizeBuckets(bounds, Arrays.equals(bounds, POWERS_OF_TWO.upperBounds));
    }

    /** The bucket index for a size {@code >= 0}: 0 to {@link #finiteCount()}, the last one being {@code +Inf}. */
    int indexOf(long size) {
        if (powersOfTwo) {
            // 0 -> 0; otherwise 1 + ceil(log2(size)); past 1 GiB -> +Inf (32).
            if (size <= 0) {
                return 0;
            }
            int ceilLog2 = 64 - Long.numberOfLeadingZeros(size - 1);
            return Math.min(1 + ceilLog2, upperBounds.length);
        }
        int i = Arrays.binarySearch(upperBounds, size);
        return i >= 0 ? i : -i - 1;
    }

    int finiteCount() {
        return upperBounds.length;
    }

    /** Bucket count including {@code +Inf}. */
    int count() {
        return upperBounds.length + 1;
    }

    long[] upperBounds() {
        return upperBounds.clone();
    }
}
