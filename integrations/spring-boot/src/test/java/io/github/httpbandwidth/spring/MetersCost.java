package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthHandler;
import io.github.httpbandwidth.BandwidthStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.undertow.Undertow;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * Not a test: the heap the Micrometer meters hold (after two collections, which make the status classes' meters)
 * and what one collection of every meter costs, at {@code args[0]} routes (each answering with one status class, 2xx
 * or 4xx) and 50 top clients, each collection a second after the last so that it takes a fresh snapshot, as a
 * registry's step would. docs/PERFORMANCE.md gives the command and the figures.
 */
public class MetersCost {
    static long usedHeap() throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    }

    /** A handler's stats, its MBean registered, and the server that counts into them; stop the server when done. */
    record Counted(BandwidthStats stats, Undertow server) {
    }

    /**
     * {@code rows} routes, one request each, each answering with one status class (2xx or 4xx), from 60 workers by
     * {@code X-Worker-Id} (so 50 top clients and the rest): the rows the cost mains measure.
     */
    static Counted counted(int rows) throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("cost").rowHold(java.time.Duration.ZERO)
                .endpointCap(Math.max(rows, 1))
                .clientKey(io.github.httpbandwidth.ClientKey.header("X-Worker-Id"))
                .classifier(e -> e.getQueryParameters().get("r").getFirst()).build();
        stats.registerMBean(ManagementFactory.getPlatformMBeanServer());
        Undertow server = Undertow.builder().addHttpListener(0, "127.0.0.1")
                .setHandler(BandwidthHandler.wrapper(stats).wrap(e -> e.setStatusCode(
                        200 + (e.getQueryParameters().get("r").getFirst().hashCode() & 1) * 204)
                        .getResponseSender().send("x"))).build();
        server.start();
        int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        HttpClient client = HttpClient.newHttpClient();
        for (int i = 0; i < rows; i++) {
            client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/?r=/route/" + i))
                    .header("X-Worker-Id", "w" + (i % 60)).build(), HttpResponse.BodyHandlers.discarding());
        }
        return new Counted(stats, server);
    }

    public static void main(String[] a) throws Exception {
        int rows = Integer.parseInt(a[0]);
        Counted counted = counted(rows);
        BandwidthStats stats = counted.stats();
        Undertow server = counted.server();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // The client rows' MBeans come with a read of a row's MBean; then the heap the meters hold is measured.
        Thread.sleep(1100);
        ManagementFactory.getPlatformMBeanServer().getAttribute(
                new javax.management.ObjectName("io.github.httpbandwidth.rows:name=cost,endpoint=(unmatched)"), "Requests");
        long before = usedHeap();
        BandwidthMeters meters = new BandwidthMeters(stats, ManagementFactory.getPlatformMBeanServer());
        meters.bindTo(registry);
        // Two collections first: a route's status classes get their meters at a read of the route's meters.
        for (int round = 0; round < 2; round++) {
            for (Meter m : registry.getMeters()) for (var x : m.measure()) x.getValue();
        }
        long after = usedHeap();
        System.out.printf("rows %d meters %d heap %+d KB (%.0f B per route, clients' meters included)%n", rows,
                registry.getMeters().size(), (after - before) / 1024, (after - before) / (double) rows);
        long[] t = new long[40];
        for (int round = 0; round < t.length; round++) {
            Thread.sleep(1050); // a fresh snapshot each round, as a collection a minute apart would have
            long start = System.nanoTime();
            double sum = 0;
            for (Meter m : registry.getMeters()) for (var x : m.measure()) sum += x.getValue();
            t[round] = System.nanoTime() - start;
            if (sum < 0) System.out.println(sum);
        }
        java.util.Arrays.sort(t);
        System.out.printf("collection of every meter: p50 %.2f ms, min %.2f ms, max %.2f ms%n", t[t.length / 2] / 1e6,
                t[0] / 1e6, t[t.length - 1] / 1e6);
        server.stop();
        System.exit(0);
    }
}
