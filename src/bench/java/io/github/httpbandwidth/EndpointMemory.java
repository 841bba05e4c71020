package io.github.httpbandwidth;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.PathTemplateMatch;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Heap taken by endpoint rows: fills BandwidthStats instances to their cap with route-template-like names and
 * measures the used heap after full GCs, before and after. One thread does the counting, so each instance holds
 * one per-thread counter row; every further thread that counts adds 24 bytes per endpoint it touches (three longs),
 * plus the growth slack of its array. Each instance has then been sampled for a minute and more (16 ticks of a
 * test ticker), so its last-minute samples of every row (the per-endpoint rates) are full, as they are in a
 * registered instance after its first minute. Run: examples/benchmarks/memory.sh.
 */
public final class EndpointMemory {

    private EndpointMemory() {
    }

    public static void main(String[] args) {
        int instances = 20;
        // Once for nothing: class loading and JIT would otherwise land in the first figure.
        measure(instances, BandwidthStats.DEFAULT_ENDPOINT_CAP, BandwidthStats.DEFAULT_ENDPOINT_CAP);
        System.out.printf("%-10s %-12s %16s %16s%n", "cap", "rows filled", "heap per row", "heap per stats");
        for (int cap : new int[] {BandwidthStats.DEFAULT_ENDPOINT_CAP, 1000, BandwidthStats.MAX_ENDPOINT_CAP}) {
            long empty = measure(instances, cap, 0);
            long full = measure(instances, cap, cap);
            System.out.printf("%-10d %-12d %13.0f B %13.0f KB%n", cap, cap,
                    (double) (full - empty) / instances / cap, full / (double) instances / 1024);
        }
    }

    /** Used heap, after GC, with {@code instances} stats each holding {@code rows} named rows. */
    private static long measure(int instances, int cap, int rows) {
        long before = usedAfterGc();
        List<BandwidthStats> all = new ArrayList<>();
        for (int s = 0; s < instances; s++) {
            long[] now = {0};
            BandwidthStats stats = BandwidthStats.builder().endpointCap(cap).ticker(() -> now[0]).build();
            for (int r = 0; r < rows; r++) {
                HttpServerExchange exchange = new HttpServerExchange(null);
                // A route template of a typical length, built like Undertow's, so the name's String is counted.
                exchange.putAttachment(PathTemplateMatch.ATTACHMENT_KEY,
                        new PathTemplateMatch("/api/v1/resource-" + r + "/{id}", Map.of()));
                Endpoint row = stats.endpointOf(exchange);
                StripedCounters.Cell cell = stats.cell();
                stats.sent(cell, 1);
                stats.exchangeCompleted(cell, row, exchange, 0, 1);
            }
            for (int tick = 0; tick < 16; tick++) {
                now[0] += RateTracker.TICK_NANOS;
                stats.sampleRates();
            }
            all.add(stats);
        }
        long after = usedAfterGc();
        if (all.size() != instances) {
            throw new IllegalStateException("unreachable");
        }
        return after - before;
    }

    private static long usedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
