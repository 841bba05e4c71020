package io.github.httpbandwidth;

/**
 * Turns cumulative counters into per-second rates over sliding 1, 5 and 15 minute windows.
 *
 * <p>It keeps a ring of samples of the counters taken every {@value #TICK_MILLIS} ms of the injected clock.
 * Samples are taken by readers, never by request threads: when a read finds ticks missing (nobody read for a
 * while), it fills them by linear interpolation between the last sample and the current values, which is the
 * best estimate those two points allow. A rate is a difference of two counter readings, so it cannot drift and
 * is exactly zero when the counter did not move. Thread-safe; readers synchronize, writers never come here.
 */
final class RateTracker {

    static final long TICK_MILLIS = 5_000;
    private static final long[] WINDOWS_MILLIS = {60_000, 300_000, 900_000};
    private static final int SLOTS = (int) (WINDOWS_MILLIS[WINDOWS_MILLIS.length - 1] / TICK_MILLIS) + 2;

    private final long[] times = new long[SLOTS];
    private final long[][] values;
    private int newest;
    private int size = 1;

    RateTracker(int series, long startMillis) {
        values = new long[SLOTS][series];
        times[0] = startMillis;
    }

    /** Takes the samples due by {@code nowMillis} and returns one {@link Rate} per series of {@code current}. */
    synchronized Rate[] update(long nowMillis, long... current) {
        advance(nowMillis, current);
        Rate[] rates = new Rate[current.length];
        for (int s = 0; s < current.length; s++) {
            rates[s] = new Rate(rate(s, 0, nowMillis, current[s]), rate(s, 1, nowMillis, current[s]),
                    rate(s, 2, nowMillis, current[s]));
        }
        return rates;
    }

    private void advance(long now, long[] current) {
        long lastTime = times[newest];
        long ticks = (now - lastTime) / TICK_MILLIS;
        if (ticks <= 0) {
            return;
        }
        long[] lastValues = values[newest].clone();
        double span = now - lastTime;
        // Only the newest SLOTS ticks can still matter; older ones would be overwritten at once.
        for (long k = Math.max(1, ticks - SLOTS + 1); k <= ticks; k++) {
            long t = lastTime + k * TICK_MILLIS;
            double fraction = (t - lastTime) / span;
            newest = (newest + 1) % SLOTS;
            times[newest] = t;
            for (int s = 0; s < current.length; s++) {
                values[newest][s] = lastValues[s] + (long) ((current[s] - lastValues[s]) * fraction);
            }
            size = Math.min(size + 1, SLOTS);
        }
    }

    private double rate(int series, int window, long now, long current) {
        long target = now - WINDOWS_MILLIS[window];
        int index = newest;
        for (int i = 0; i < size; i++) {
            index = Math.floorMod(newest - i, SLOTS);
            if (times[index] <= target) {
                break;
            }
        }
        long elapsed = now - times[index];
        long increase = current - values[index][series];
        return elapsed <= 0 || increase <= 0 ? 0.0 : increase * 1000.0 / elapsed;
    }
}
