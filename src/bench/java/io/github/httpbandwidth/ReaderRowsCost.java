package io.github.httpbandwidth;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import io.undertow.util.PathTemplateMatch;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the MBeans of a registered handler cost at the default caps full (256 endpoint rows, each with a 2xx and a
 * 4xx class, and 50 top clients): the heap they hold (registered minus unregistered, after full GCs, 20 handlers),
 * and one collection the way OpenTelemetry's JMX Metric Insight reads the readers' row MBeans
 * ({@code io.github.httpbandwidth.rows}): for each MBean and each numeric attribute the shipped rules map, the value
 * and the label attribute, one {@code getAttribute} each. Runs on versions without row MBeans too (they then read
 * none). Run: {@code java -cp <benchmark class path> io.github.httpbandwidth.ReaderRowsCost}.
 */
public final class ReaderRowsCost {

    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();
    private static final HttpString WORKER = new HttpString("X-Worker-Id");

    private ReaderRowsCost() {
    }

    public static void main(String[] args) throws Exception {
        int instances = 20;
        heap(instances, "warm-up", true);
        long unregistered = heap(instances, "unregistered", false);
        long registered = heap(instances, "registered", true);
        System.out.printf("MBeans of one handler at the default caps full: %.0f KB (%.0f B per endpoint row)%n",
                (registered - unregistered) / (double) instances / 1024,
                (registered - unregistered) / (double) instances / BandwidthStats.DEFAULT_ENDPOINT_CAP);

        long[] now = {1_000_000_000_000L};
        BandwidthStats stats = filled("collect", true, now);
        Set<ObjectName> rows = SERVER.queryNames(new ObjectName("io.github.httpbandwidth.rows:name=collect,*"), null);
        // The first read registers the client rows' MBeans.
        collect(rows);
        now[0] += 2_000_000_000L;
        rows = SERVER.queryNames(new ObjectName("io.github.httpbandwidth.rows:name=collect,*"), null);
        long[] micros = new long[60];
        int reads = 0;
        for (int i = 0; i < micros.length + 20; i++) {
            now[0] += 2_000_000_000L; // a fresh snapshot for every collection, as a minute apart
            long start = System.nanoTime();
            reads = collect(rows);
            if (i >= 20) {
                micros[i - 20] = (System.nanoTime() - start) / 1000;
            }
        }
        Arrays.sort(micros);
        System.out.printf("row MBeans: %d; one collection: %d getAttribute calls, p50 %.2f ms, p90 %.2f ms%n",
                rows.size(), reads, micros[micros.length / 2] / 1000.0, micros[micros.length * 9 / 10] / 1000.0);
        stats.close();
    }

    /** Reads every numeric attribute of every MBean with its label attribute, as Metric Insight does. */
    private static int collect(Set<ObjectName> names) throws Exception {
        int reads = 0;
        for (ObjectName name : names) {
            String label = name.getKeyProperty("client") != null ? "Client" : "Endpoint";
            for (MBeanAttributeInfo attribute : SERVER.getMBeanInfo(name).getAttributes()) {
                if (attribute.getType().equals("java.lang.Long")) {
                    SERVER.getAttribute(name, attribute.getName());
                    SERVER.getAttribute(name, label);
                    reads += 2;
                }
            }
        }
        return reads;
    }

    private static long heap(int instances, String name, boolean register) {
        long before = usedAfterGc();
        List<BandwidthStats> all = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            all.add(filled(name + "-" + i, register, new long[] {0}));
        }
        long after = usedAfterGc();
        all.forEach(BandwidthStats::close);
        return after - before;
    }

    /** A handler with 256 endpoint rows (2xx and 4xx each) and 50 clients, read once through its MBean if registered. */
    private static BandwidthStats filled(String name, boolean register, long[] now) {
        BandwidthStats stats = BandwidthStats.builder().name(name).ticker(() -> now[0])
                .clientKey(ClientKey.header("X-Worker-Id")).build();
        if (register) {
            stats.registerMBean(SERVER);
        }
        StripedCounters.Cell cell = stats.cell();
        for (int r = 0; r < BandwidthStats.DEFAULT_ENDPOINT_CAP; r++) {
            for (int status : new int[] {200, 404}) {
                HttpServerExchange exchange = new HttpServerExchange(null);
                exchange.putAttachment(PathTemplateMatch.ATTACHMENT_KEY,
                        new PathTemplateMatch("/api/v1/resource-" + r + "/{id}", Map.of()));
                exchange.setStatusCode(status);
                exchange.getRequestHeaders().put(WORKER, "worker-" + (100_000 + r % 50));
                Endpoint row = stats.endpointOf(exchange);
                stats.sent(cell, 10);
                stats.exchangeCompleted(cell, row, exchange, 0, 10);
            }
        }
        if (register) {
            try {
                ObjectName handler = stats.objectName();
                SERVER.getAttribute(handler, "Endpoints");
                for (ObjectName row : SERVER.queryNames(new ObjectName("io.github.httpbandwidth.rows:name=" + name
                        + ",*"), null)) {
                    SERVER.getAttribute(row, "Requests");
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        } else {
            stats.snapshot();
        }
        return stats;
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
