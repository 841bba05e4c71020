package io.github.httpbandwidth;

import java.lang.ref.WeakReference;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Takes every {@link BandwidthStats}' rate sample once a tick, so that rates are right for whoever reads them
 * after however long nobody did.
 *
 * <p>One daemon thread for all instances in a class loader, started with the first and ended two seconds after the
 * last one is closed or garbage collected: a task holds its stats weakly, and cancels itself once it is gone. The
 * thread has no context class loader, so it pins no deployment but the one whose library copy started it, and only
 * while that deployment has live stats. A sample sums three counters over the threads' cells: microseconds.
 */
final class RateSampler implements Runnable {

    private static final ScheduledThreadPoolExecutor EXECUTOR = executor();

    private final WeakReference<BandwidthStats> stats;
    private volatile ScheduledFuture<?> future;

    private RateSampler(BandwidthStats stats) {
        this.stats = new WeakReference<>(stats);
    }

    /** Samples {@code stats} every tick until {@link #cancel()}, or until it is garbage collected. */
    static RateSampler start(BandwidthStats stats) {
        RateSampler sampler = new RateSampler(stats);
        sampler.future = EXECUTOR.scheduleAtFixedRate(sampler, RateTracker.TICK_NANOS, RateTracker.TICK_NANOS,
                TimeUnit.NANOSECONDS);
        return sampler;
    }

    void cancel() {
        ScheduledFuture<?> f = future;
        if (f != null) {
            f.cancel(false);
        }
    }

    @Override
    public void run() {
        BandwidthStats s = stats.get();
        if (s == null) {
            cancel();
            return;
        }
        try {
            s.sampleRates();
        } catch (RuntimeException e) {
            // Not expected; but a periodic task that throws is never run again, and one lost sample must not
            // end the rates: the next tick tries again.
        }
    }

    private static ScheduledThreadPoolExecutor executor() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "httpbandwidth-rate-sampler");
            thread.setDaemon(true);
            thread.setContextClassLoader(null);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setKeepAliveTime(2, TimeUnit.SECONDS);
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }
}
