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
    private static final long[] WINDOWS_NANOS = {60 * 1_000_000_000L, 300 * 1_000_000_000L, 900 * 1_000_000_000L};
    /** A sample per tick for the longest window plus a tick, and one spare. */
    private static final int SLOTS = (int) (WINDOWS_NANOS[2] / TICK_NANOS) + 3;

    private final long startNanos;
    private final long[] times = new long[SLOTS];
    private final long[][] values;
    private int newest;
    private int size = 1;

    /** Starts with a sample of zeros at {@code startNanos}: the counters' values when counting began. */
    RateTracker(int series, long startNanos) {
        this.startNanos = startNanos;
        this.values = new long[SLOTS][series];
        times[0] = startNanos;
    }

    /** Keeps {@code current} as the sample of the tick {@code nowNanos} falls in, unless that tick has one. */
    synchronized void sample(long nowNanos, long[] current) {
        if (tick(nowNanos) <= tick(times[newest])) {
            return;
        }
        newest = (newest + 1) % SLOTS;
        times[newest] = nowNanos;
        System.arraycopy(current, 0, values[newest], 0, current.length);
        size = Math.min(size + 1, SLOTS);
    }

    /** Samples, then returns one {@link Rate} per series of {@code current}. */
    synchronized Rate[] rates(long nowNanos, long[] current) {
        sample(nowNanos, current);
        Rate[] rates = new Rate[current.length];
        for (int s = 0; s < current.length; s++) {
            rates[s] = new Rate(rate(s, 0, nowNanos, current[s]), rate(s, 1, nowNanos, current[s]),
                    rate(s, 2, nowNanos, current[s]));
        }
        return rates;
    }

    private long tick(long nanos) {
        return Math.floorDiv(nanos - startNanos, TICK_NANOS);
    }

    private double rate(int series, int window, long now, long current) {
        long windowNanos = WINDOWS_NANOS[window];
        // The newest sample at least a window old; the oldest kept when the process (or the ring) is younger.
        int index = newest;
        for (int i = 0; i < size; i++) {
            index = Math.floorMod(newest - i, SLOTS);
            if (now - times[index] >= windowNanos) {
                break;
            }
        }
        long increase = current - values[index][series];
        if (increase <= 0) {
            return 0.0;
        }
        long span = Math.max(windowNanos, now - times[index] - TICK_NANOS);
        return increase * 1e9 / span;
    }
}
