package io.github.httpbandwidth;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.PathTemplateMatch;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Heap taken by endpoint rows: fills BandwidthStats instances to their cap with route-template-like names and
 * measures the used heap after full GCs, before and after. One thread does the counting, so each instance holds
 * one per-thread counter row; every further thread that counts adds 144 bytes per endpoint it touches (18 longs:
 * the row's three and three per status class), plus the growth slack of its array. Then the top clients table:
 * its heap per client kept. Each instance has then been sampled for a minute and more (16 ticks of a
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
        System.out.printf("%n%-18s %16s %20s%n", "client capacity", "heap per client", "heap of a full table");
        for (int capacity : new int[] {ClientTable.DEFAULT_CAPACITY, ClientTable.MAX_CAPACITY}) {
            long none = measureClients(instances, capacity, 0);
            long full = measureClients(instances, capacity, capacity);
            System.out.printf("%-18d %13.0f B %17.0f KB%n", capacity, (double) (full - none) / instances / capacity,
                    (full - none) / (double) instances / 1024);
        }
    }

    /**
     * Used heap, after GC, with {@code instances} stats whose top clients table (keyed by X-Worker-Id, worker ids
     * of a typical length) holds {@code clients} clients, read once (so every thread's buffer is in the table).
     */
    private static long measureClients(int instances, int capacity, int clients) {
        io.undertow.util.HttpString worker = new io.undertow.util.HttpString("X-Worker-Id");
        return heapHolding(instances, () -> {
            BandwidthStats stats = BandwidthStats.builder().clientCapacity(capacity)
                    .clientKey(ClientKey.header("X-Worker-Id")).build();
            Endpoint row = stats.endpointOf(new HttpServerExchange(null));
            for (int c = 0; c < clients; c++) {
                HttpServerExchange exchange = new HttpServerExchange(null);
                exchange.getRequestHeaders().put(worker, "worker-" + (100_000 + c));
                stats.exchangeCompleted(stats.cell(), row, exchange, 10, 1);
            }
            stats.snapshot();
            return stats;
        });
    }

    /** Used heap, after GC, with {@code instances} stats each holding {@code rows} named rows. */
    private static long measure(int instances, int cap, int rows) {
        return heapHolding(instances, () -> {
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
            return stats;
        });
    }

    /** How much more heap is used, after GC, while {@code instances} stats made by {@code filled} are held. */
    private static long heapHolding(int instances, Supplier<BandwidthStats> filled) {
        long before = usedAfterGc();
        List<BandwidthStats> all = new ArrayList<>();
        for (int s = 0; s < instances; s++) {
            all.add(filled.get());
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
