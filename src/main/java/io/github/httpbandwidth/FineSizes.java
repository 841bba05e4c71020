package io.github.httpbandwidth;

import java.util.Arrays;

/**
 * The console's body size layout: finer than the exported buckets, so that a percentile is within 1.6% of the true
 * size, and exact where its bucket has seen one size only.
 *
 * <p>Buckets, for a size {@code s}: {@code s = 0} has bucket 0; 1 to 64 bytes have a bucket each (exact); above, each
 * power-of-2 range {@code (2^k, 2^(k+1)]} is cut into {@value #SUB} buckets of equal width, so a bucket's width is
 * at most 1/32 of its lower bound. Sizes above 2<sup>40</sup> bytes (1 TiB) share the last bucket. The ranges nest
 * in the default exported buckets ({@code le} 0, 1, 2, 4, ... 1 GiB): each fine bucket lies inside one of them, so
 * those are the sums of the fine ones.
 *
 * <p>Each bucket has a count and a <em>mark</em>: {@code size + 1} while the bucket has seen that one size only,
 * {@link #MIXED} once it has seen two, 0 before any. A percentile is the size at its rank (the nearest-rank order
 * statistic: the smallest size with at least {@code q × count} sizes at or below it) when its bucket's mark names
 * one size, else the middle of its bucket: at most half a bucket's width, under 1/64 (1.6%) of the true size, away.
 *
 * <p>Per counting thread the buckets live in chunks of {@value #SUB} buckets, made when the thread first records a
 * size in one ({@link StripedCounters.Cell#chunk}), so a thread holds only the sizes its traffic has: counts in a
 * chunk's first half, marks in its second.
 */
final class FineSizes {

    static final int SUB = 32;
    /** Sizes up to this many bytes have a bucket each (bucket index = size). */
    private static final int EXACT = 64;
    private static final int FIRST_RANGE = 6; // 2^6 = 64 = EXACT
    private static final int LAST_RANGE = 39; // (2^39, 2^40]
    /** Buckets per direction: 0 to 64 exactly, then 34 ranges of 32. */
    static final int BUCKETS = EXACT + 1 + (LAST_RANGE - FIRST_RANGE + 1) * SUB;
    /** Chunks per direction. */
    static final int CHUNKS = (BUCKETS + SUB - 1) / SUB;
    /** A chunk's width in slots: counts, then marks. */
    static final int CHUNK_WIDTH = 2 * SUB;
    /** The mark of a bucket that has seen more than one size. */
    static final long MIXED = -1;

    private FineSizes() {
    }

    /** The bucket of a size {@code >= 0}. */
    static int index(long size) {
        if (size <= EXACT) {
            return (int) Math.max(size, 0);
        }
        long v = Math.min(size - 1, (1L << (LAST_RANGE + 1)) - 1);
        int range = 63 - Long.numberOfLeadingZeros(v);
        int sub = (int) (v >>> (range - 5)) & (SUB - 1);
        return EXACT + 1 + (range - FIRST_RANGE) * SUB + sub;
    }

    /** The smallest size of bucket {@code i}. */
    static long lowest(int i) {
        if (i <= EXACT) {
            return i;
        }
        int range = FIRST_RANGE + (i - EXACT - 1) / SUB;
        int sub = (i - EXACT - 1) % SUB;
        return (1L << range) + ((long) sub << (range - 5)) + 1;
    }

    /** The largest size of bucket {@code i} (the last bucket also takes every larger size). */
    static long highest(int i) {
        if (i <= EXACT) {
            return i;
        }
        int range = FIRST_RANGE + (i - EXACT - 1) / SUB;
        int sub = (i - EXACT - 1) % SUB;
        return (1L << range) + ((long) (sub + 1) << (range - 5));
    }

    /** Two marks of one bucket as one: the size both saw, or {@link #MIXED}. */
    static long merge(long a, long b) {
        if (a == 0 || a == b) {
            return b;
        }
        return b == 0 ? a : MIXED;
    }

    /** Records a size in {@code chunk}, the chunk of its bucket; on the chunk's owner thread. The mark first. */
    static void record(long[] chunk, int bucket, long size) {
        int at = bucket & (SUB - 1);
        long mark = chunk[SUB + at];
        long own = size + 1;
        if (mark != own && mark != MIXED) {
            StripedCounters.set(chunk, SUB + at, mark == 0 ? own : MIXED);
        }
        StripedCounters.add(chunk, at, 1);
    }

    /** As {@link #record}, by any thread (the cell virtual threads share): atomic updates. */
    static void recordShared(long[] chunk, int bucket, long size) {
        int at = bucket & (SUB - 1);
        long own = size + 1;
        long mark = StripedCounters.getVolatile(chunk, SUB + at);
        while (mark != own && mark != MIXED) {
            long witness = StripedCounters.compareAndExchange(chunk, SUB + at, mark, mark == 0 ? own : MIXED);
            if (witness == mark) {
                break;
            }
            mark = witness;
        }
        StripedCounters.addAtomically(chunk, at, 1);
    }

    /**
     * One read of a direction's buckets, counts and marks, summed over the counting threads (or risen over a
     * window: then {@code counts} is the rise and the marks are those since start, which hold for any part of it).
     */
    static final class Read {
        final long[] counts;
        final long[] marks;

        Read(long[] counts, long[] marks) {
            this.counts = counts;
            this.marks = marks;
        }

        static Read of(long[][] chunks, int first) {
            long[] counts = new long[BUCKETS];
            long[] marks = new long[BUCKETS];
            for (int c = 0; c < CHUNKS; c++) {
                long[] chunk = chunks[first + c];
                if (chunk == null) {
                    continue;
                }
                for (int at = 0; at < SUB && c * SUB + at < BUCKETS; at++) {
                    counts[c * SUB + at] = chunk[at];
                    marks[c * SUB + at] = chunk[SUB + at];
                }
            }
            return new Read(counts, marks);
        }

        /** The counts of this read less those of an earlier one (a window); the marks stay. */
        Read since(Read earlier) {
            long[] rise = counts.clone();
            for (int i = 0; i < rise.length; i++) {
                rise[i] = Math.max(0, rise[i] - earlier.counts[i]);
            }
            return new Read(rise, marks);
        }

        long count() {
            long n = 0;
            for (long c : counts) {
                n += c;
            }
            return n;
        }

        /**
         * The {@code q}-quantile: the size at rank {@code max(1, ceil(q × count))}, exact where its bucket saw one
         * size, else its bucket's middle; never above {@code maxBytes} (the largest size of the same span).
         */
        double quantile(double q, long maxBytes) {
            long n = count();
            if (n == 0) {
                return 0.0;
            }
            long rank = Math.max(1, (long) Math.ceil(q * n - 1e-9)); // 0.9 x 50 is 45.000000000000004
            long seen = 0;
            for (int i = 0; i < counts.length; i++) {
                seen += counts[i];
                if (seen >= rank) {
                    long mark = marks[i];
                    double size = mark > 0 ? mark - 1 : (lowest(i) + highest(i)) / 2.0;
                    return Math.min(size, maxBytes);
                }
            }
            return maxBytes;
        }

        @Override
        public String toString() {
            StringBuilder text = new StringBuilder("{");
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] != 0) {
                    text.append(lowest(i)).append("..").append(highest(i)).append('=').append(counts[i])
                            .append(marks[i] > 0 ? " (" + (marks[i] - 1) + ")" : "").append(", ");
                }
            }
            return text.append('}').toString();
        }
    }

    /** Adds the fine counts of {@code read} into the default exported buckets' per-bucket counts from {@code base}. */
    static void intoPowersOfTwo(Read read, SizeBuckets buckets, long[] sums, int base) {
        long[] counts = read.counts;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] != 0) {
                sums[base + buckets.indexOf(lowest(i))] += counts[i];
            }
        }
    }

    /** An empty chunk. */
    static long[] newChunk() {
        return new long[CHUNK_WIDTH + StripedCounters.PAD];
    }

    /** Adds {@code from}'s counts into {@code into}'s and merges the marks (chunks of one range). */
    static void fold(long[] into, long[] from) {
        for (int at = 0; at < SUB; at++) {
            into[at] += StripedCounters.getAcquire(from, at);
            into[SUB + at] = merge(into[SUB + at], StripedCounters.getAcquire(from, SUB + at));
        }
    }

    /** For tests and messages. */
    static String describe(long[] sizes) {
        return Arrays.toString(sizes);
    }
}
