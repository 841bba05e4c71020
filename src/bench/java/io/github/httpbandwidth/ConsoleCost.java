package io.github.httpbandwidth;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.PathTemplateMatch;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the console's endpoint MBeans cost (issue 23): reading them as JConsole reads a row (one {@code getAttributes}
 * of its 7 attributes), one row and the whole tree, at 64, 256, 1,000 and 10,000 rows; and the heap a row costs
 * with its MBeans, registered minus not registered (the console's {@code view=Endpoints} MBean alone, then with the
 * readers' {@code io.github.httpbandwidth.rows} MBean, with the MBeanServer's entries), after full GCs, 10 handlers,
 * against handlers of one row; and the heap a counting thread holds for the console's fine sizes. Uses only what earlier
 * versions have, so it runs on a baseline's worktree too. Run: {@code examples/benchmarks/console-cost.sh}; with the
 * argument {@code heap}, only the heap per row.
 */
public final class ConsoleCost {

    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();
    private static final String[] ATTRIBUTES = {"Endpoint", "BytesReceived", "BytesSent", "Requests",
            "BytesReceivedPerSecond1m", "BytesSentPerSecond1m", "RequestsPerSecond1m"};
    private static int handlers;

    private ConsoleCost() {
    }

    public static void main(String[] args) throws Exception {
        if (!(args.length > 0 && args[0].equals("heap"))) {
            System.out.printf("%-8s %16s %16s %16s%n", "rows", "one row, p50", "whole tree, p50", "per row in tree");
            for (int rows : new int[] {64, 256, 1000, 10_000}) {
                read(rows);
            }
            threads();
        }
        int instances = 10;
        for (int rows : new int[] {256, 1000}) {
            heapHolding(instances, rows, Mbeans.BOTH); // warm-up
            long bare = heapHolding(instances, rows, Mbeans.NONE);
            long console = heapHolding(instances, rows, Mbeans.CONSOLE);
            long both = heapHolding(instances, rows, Mbeans.BOTH);
            // Against handlers of one row with the same traffic, so what a handler holds once (its sizes' chunks and
            // their last-minute samples, its MBean) is not spread over the rows.
            long bareOne = heapHolding(instances, 1, Mbeans.NONE);
            long consoleOne = heapHolding(instances, 1, Mbeans.CONSOLE);
            long bothOne = heapHolding(instances, 1, Mbeans.BOTH);
            double rowAlone = (bare - bareOne) / (double) instances / (rows - 1);
            double withConsole = (console - consoleOne) / (double) instances / (rows - 1);
            double withBoth = (both - bothOne) / (double) instances / (rows - 1);
            System.out.printf("%d rows: heap per row %.0f B without MBeans, %.0f B with the console's MBean, %.0f B with"
                    + " its MBeans, the console's and the readers' (%.0f B the MBeans)%n",
                    rows, rowAlone, withConsole, withBoth, withBoth - rowAlone);
        }
    }

    /** Which of a row's MBeans a handler registers: none, the console's only, or the console's and the readers'. */
    private enum Mbeans { NONE, CONSOLE, BOTH }

    /**
     * Heap per counting thread for its sizes: 8 live threads, each recording one exchange per size of a spread over 0
     * B to 16 MB in both directions (0 to 63 B, then 32 sizes in each power-of-2 range, one per fine bucket),
     * against 8 threads recording one size.
     */
    private static void threads() throws Exception {
        long[] spread = java.util.stream.LongStream.range(0, 64 + 18 * 32)
                .map(i -> i < 64 ? i : (1L << (6 + (i - 64) / 32)) + ((i - 64) % 32) * (1L << (1 + (i - 64) / 32)) + 1)
                .toArray();
        threadsHolding(spread); // warm-up
        long one = threadsHolding(new long[] {1000});
        long spreadHeap = threadsHolding(spread);
        System.out.printf("per counting thread, sizes 0 B to 16 MB in both directions (%d sizes): %.0f B more than"
                + " with one size%n", spread.length, (spreadHeap - one) / 8.0);
    }

    private static long threadsHolding(long[] sizes) throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("console-threads-" + handlers++).build();
        HttpServerExchange exchange = new HttpServerExchange(null);
        Endpoint row = stats.endpointOf(exchange);
        java.util.concurrent.CountDownLatch recorded = new java.util.concurrent.CountDownLatch(8);
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        long before = usedAfterGc();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                StripedCounters.Cell cell = stats.cell();
                for (long size : sizes) {
                    stats.exchangeStarted(cell);
                    stats.exchangeCompleted(cell, row, exchange, size, size);
                }
                recorded.countDown();
                try {
                    done.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            thread.start();
            threads.add(thread);
        }
        recorded.await();
        long after = usedAfterGc();
        done.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        stats.close();
        return after - before;
    }

    private static void read(int rows) throws Exception {
        long[] now = {1_000_000_000_000L};
        BandwidthStats stats = filled(rows, true, now);
        ObjectName pattern = new ObjectName("io.github.httpbandwidth.console:name=" + stats.name() + ",view=Endpoints,*");
        List<ObjectName> names = new ArrayList<>(SERVER.queryNames(pattern, null));
        ObjectName one = names.get(names.size() / 2);
        int passes = rows >= 10_000 ? 5 : 20;
        long[] tree = new long[passes];
        for (int p = 0; p < passes + 3; p++) {
            long start = System.nanoTime();
            for (ObjectName name : names) {
                SERVER.getAttributes(name, ATTRIBUTES);
            }
            if (p >= 3) {
                tree[p - 3] = System.nanoTime() - start;
            }
        }
        long[] single = new long[2000];
        for (int i = 0; i < single.length + 500; i++) {
            long start = System.nanoTime();
            SERVER.getAttributes(one, ATTRIBUTES);
            if (i >= 500) {
                single[i - 500] = System.nanoTime() - start;
            }
        }
        Arrays.sort(tree);
        Arrays.sort(single);
        double treeMs = tree[passes / 2] / 1e6;
        System.out.printf("%-8d %13.1f µs %13.2f ms %13.2f µs%n", names.size(), single[single.length / 2] / 1e3,
                treeMs, treeMs * 1e3 / names.size());
        stats.close();
    }

    /** A handler with {@code rows} endpoint rows, each with a 2xx and a 4xx exchange, sampled past a minute. */
    private static BandwidthStats filled(int rows, boolean register, long[] now) {
        return filled(rows, register ? Mbeans.BOTH : Mbeans.NONE, now);
    }

    /**
     * As above; {@code CONSOLE} registers the handler, then takes the readers' row MBeans ({@code
     * io.github.httpbandwidth.rows}) out again through the handler's own publisher, which then holds nothing of them.
     */
    private static BandwidthStats filled(int rows, Mbeans mbeans, long[] now) {
        boolean register = mbeans != Mbeans.NONE;
        BandwidthStats stats = BandwidthStats.builder().name("console-cost-" + handlers++)
                .endpointCap(Math.max(rows, 1)).ticker(() -> now[0]).build();
        if (register) {
            stats.registerMBean(SERVER);
        }
        for (int r = 0; r < rows; r++) {
            for (int status : new int[] {200, 404}) {
                HttpServerExchange exchange = new HttpServerExchange(null);
                exchange.putAttachment(PathTemplateMatch.ATTACHMENT_KEY,
                        new PathTemplateMatch("/api/v1/resource-" + r + "/{id}", Map.of()));
                exchange.setStatusCode(status);
                Endpoint row = stats.endpointOf(exchange);
                StripedCounters.Cell cell = stats.cell();
                stats.exchangeStarted(cell);
                stats.received(cell, 100);
                stats.sent(cell, 1000);
                stats.exchangeCompleted(cell, row, exchange, 100, 1000);
            }
        }
        for (int tick = 0; tick < 16; tick++) {
            now[0] += RateTracker.TICK_NANOS;
            stats.sampleRates();
        }
        if (mbeans == Mbeans.CONSOLE) {
            removeReaderRows(stats);
        }
        return stats;
    }

    private static void removeReaderRows(BandwidthStats stats) {
        try {
            java.lang.reflect.Field field = BandwidthStats.class.getDeclaredField("publisher");
            field.setAccessible(true);
            MBeanPublisher publisher = (MBeanPublisher) field.get(stats);
            ObjectName readers = new ObjectName("io.github.httpbandwidth.rows:name=" + stats.name() + ",*");
            for (ObjectName name : SERVER.queryNames(readers, null)) {
                publisher.removeChild(name);
            }
        } catch (ReflectiveOperationException | javax.management.MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Used heap, after GC, while {@code instances} handlers of {@code rows} rows are held (and unregistered after). */
    private static long heapHolding(int instances, int rows, Mbeans mbeans) {
        long before = usedAfterGc();
        List<BandwidthStats> all = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            all.add(filled(rows, mbeans, new long[] {1_000_000_000_000L}));
        }
        long after = usedAfterGc();
        for (BandwidthStats stats : all) {
            stats.close();
        }
        return after - before;
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
