package io.github.httpbandwidth;

/**
 * Per-second rates over sliding 1, 5 and 15 minute windows, from samples of cumulative counters.
 *
 * <p>Time is monotonic ({@link System#nanoTime()} or an injected ticker), so stepping the wall clock changes
 * nothing. A sample of the counters is kept for every {@value #TICK_SECONDS}-second tick; they are taken by
 * {@link RateSampler} every tick whether anyone reads or not, and by readers when the current tick has none yet.
 *
 * <p>A rate over a window of {@code W} seconds is the counters' increase since the newest sample at least
 * {@code W} seconds old, divided by {@code W}: what moved in the last {@code W} to {@code W + 5} seconds, per
 * second. So it is exactly {@code 0.0} once {@code W + 5} seconds pass without an increase, and reads the same
 * whenever and however often it is read. While the process is younger than the window, the missing time counts
 * as quiet. Should samples be missing (the sampler could not run for longer than a tick), the increase is spread
 * over the whole gap instead, the best those two readings allow.
 *
 * <p>Thread-safe; samplers and readers synchronize, request threads never come here.
 */
final class RateTracker {

    static final long TICK_SECONDS = 5;
    static final long TICK_NANOS = TICK_SECONDS * 1_000_000_000L;
    static final long ONE_MINUTE_NANOS = 60 * 1_000_000_000L;
    private static final long[] RATE_WINDOWS_NANOS = {ONE_MINUTE_NANOS, 300 * 1_000_000_000L, 900 * 1_000_000_000L};

    private final long startNanos;
    private final long[] windowsNanos;
    private final long[] times;
    /** One sample per slot; a sample may be shorter than a later one (a series added later was 0 before). */
    private final long[][] values;
    private int newest;
    private int size = 1;

    /** 1, 5 and 15 minute windows. Starts with a sample of zeros at {@code startNanos}. */
    RateTracker(int series, long startNanos) {
        this(series, startNanos, RATE_WINDOWS_NANOS);
    }

    /**
     * Starts with a sample of zeros at {@code startNanos}: the counters' values when counting began; keeps a
     * sample per tick for the longest of {@code windowsNanos} (ascending) plus a tick, and one spare.
     */
    RateTracker(int series, long startNanos, long... windowsNanos) {
        this.startNanos = startNanos;
        this.windowsNanos = windowsNanos.clone();
        int slots = (int) (windowsNanos[windowsNanos.length - 1] / TICK_NANOS) + 3;
        this.times = new long[slots];
        this.values = new long[slots][series];
        times[0] = startNanos;
    }

    /** The tick {@code nanos} falls in, counted from the start. */
    long tick(long nanos) {
        return Math.floorDiv(nanos - startNanos, TICK_NANOS);
    }

    /** Keeps {@code current} as the sample of the tick {@code nowNanos} falls in, unless that tick has one. */
    synchronized void sample(long nowNanos, long[] current) {
        if (tick(nowNanos) <= tick(times[newest])) {
            return;
        }
        newest = (newest + 1) % times.length;
        times[newest] = nowNanos;
        if (values[newest].length != current.length) {
            values[newest] = new long[current.length];
        }
        System.arraycopy(current, 0, values[newest], 0, current.length);
        size = Math.min(size + 1, times.length);
    }

    /** Samples, then returns one {@link Rate} per series of {@code current}, for the three rate windows. */
    synchronized Rate[] rates(long nowNanos, long[] current) {
        sample(nowNanos, current);
        Rate[] rates = new Rate[current.length];
        for (int s = 0; s < current.length; s++) {
            rates[s] = new Rate(rate(s, 0, nowNanos, current[s]), rate(s, 1, nowNanos, current[s]),
                    rate(s, 2, nowNanos, current[s]));
        }
        return rates;
    }

    /**
     * Samples, then returns how much each series in {@code [from, to)} of {@code current} rose over the window
     * {@code window} (an index into the windows), and, as its last element, the span in nanoseconds that rise
     * is spread over for a rate.
     */
    synchronized long[] increases(long nowNanos, long[] current, int window, int from, int to) {
        sample(nowNanos, current);
        int index = baseline(nowNanos, windowsNanos[window]);
        long[] old = values[index];
        long[] increases = new long[to - from + 1];
        for (int s = from; s < to; s++) {
            increases[s - from] = Math.max(0, current[s] - (s < old.length ? old[s] : 0));
        }
        increases[to - from] = span(nowNanos, index, windowsNanos[window]);
        return increases;
    }

    /** Whether the tick {@code nowNanos} falls in has its sample already. */
    synchronized boolean sampled(long nowNanos) {
        return tick(nowNanos) <= tick(times[newest]);
    }

    /**
     * Without sampling: how much each of {@code current} rose over the window {@code window} against the series
     * from {@code from} in the samples, and as the last element the span in nanoseconds, as {@link #increases}
     * gives them. For a read of a few series of many, between samples ({@link #sampled} true).
     */
    synchronized long[] increasesOf(long nowNanos, long[] current, int window, int from) {
        int index = baseline(nowNanos, windowsNanos[window]);
        long[] old = values[index];
        long[] increases = new long[current.length + 1];
        for (int s = 0; s < current.length; s++) {
            int series = from + s;
            increases[s] = Math.max(0, current[s] - (series < old.length ? old[series] : 0));
        }
        increases[current.length] = span(nowNanos, index, windowsNanos[window]);
        return increases;
    }

    /** The newest sample at least a window old; the oldest kept when the process (or the ring) is younger. */
    private int baseline(long now, long windowNanos) {
        int index = newest;
        for (int i = 0; i < size; i++) {
            index = Math.floorMod(newest - i, times.length);
            if (now - times[index] >= windowNanos) {
                break;
            }
        }
        return index;
    }

    private long span(long now, int index, long windowNanos) {
        return Math.max(windowNanos, now - times[index] - TICK_NANOS);
    }

    private double rate(int series, int window, long now, long current) {
        long windowNanos = windowsNanos[window];
        int index = baseline(now, windowNanos);
        long[] old = values[index];
        long increase = current - (series < old.length ? old[series] : 0);
        if (increase <= 0) {
            return 0.0;
        }
        return increase * 1e9 / span(now, index, windowNanos);
    }
}
