package io.github.httpbandwidth;

import io.prometheus.jmx.JmxCollector;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded soak: mixed traffic from 4 client threads and a scrape through the shipped rules every second, for
 * a few minutes; prints the heap (after GC) and the totals as it goes, and at the end compares the server's
 * counts with what the clients themselves sent and received. Run: examples/benchmarks/soak.sh.
 */
public final class SoakRunner {

    private SoakRunner() {
    }

    public static void main(String[] args) throws Exception {
        long minutes = args.length > 0 ? Long.parseLong(args[0]) : 3;
        BandwidthStats stats = BandwidthStats.builder().name("soak").build();
        stats.registerMBean(ManagementFactory.getPlatformMBeanServer());
        PrometheusRegistry registry = new PrometheusRegistry();
        new JmxCollector(new File("jmx-exporter-config.yaml"), JmxCollector.Mode.AGENT).register(registry);
        AtomicLong clientRequests = new AtomicLong();
        AtomicLong clientBytesUp = new AtomicLong();
        AtomicLong clientBytesDown = new AtomicLong();
        long deadline = System.nanoTime() + minutes * 60_000_000_000L;
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, TestRoutes.basic()))) {
            ExecutorService pool = Executors.newFixedThreadPool(5);
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Random random = new Random(t);
                // Raw keep-alive connections, so the clients' counts are exactly what went over the wire (a
                // higher-level client may retry a request on its own and hide it).
                workers.add(pool.submit(() -> {
                    try (RawHttp http = new RawHttp(server.port())) {
                        while (System.nanoTime() < deadline) {
                            int up = 0;
                            switch (random.nextInt(3)) {
                                case 0 -> http.send("GET /small HTTP/1.1\r\nHost: soak\r\n\r\n", null);
                                case 1 -> {
                                    up = random.nextInt(65_537);
                                    http.send("POST /upload HTTP/1.1\r\nHost: soak\r\nContent-Length: " + up + "\r\n\r\n",
                                            new byte[up]);
                                }
                                default -> http.send("GET /stream/" + (1 + random.nextInt(16))
                                        + " HTTP/1.1\r\nHost: soak\r\n\r\n", null);
                            }
                            byte[] body = http.readResponse(false).body();
                            clientRequests.incrementAndGet();
                            clientBytesUp.addAndGet(up);
                            clientBytesDown.addAndGet(body.length);
                        }
                    }
                    return null;
                }));
            }
            long scrapes = 0;
            double scrapeMillis = 0;
            long start = System.nanoTime();
            long nextReport = 0;
            System.out.printf("%8s %12s %14s %14s %12s %12s%n", "seconds", "requests", "bytes in", "bytes out",
                    "heap (MB)", "scrape (ms)");
            while (System.nanoTime() < deadline) {
                long t0 = System.nanoTime();
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                new PrometheusTextFormatWriter(false).write(out, registry.scrape());
                scrapeMillis += (System.nanoTime() - t0) / 1e6;
                scrapes++;
                long seconds = (System.nanoTime() - start) / 1_000_000_000L;
                if (seconds >= nextReport) {
                    BandwidthSnapshot s = stats.snapshot();
                    System.out.printf("%8d %12d %14d %14d %12.1f %12.2f%n", seconds, s.requests(), s.bytesReceived(),
                            s.bytesSent(), heapAfterGcMb(), scrapeMillis / scrapes);
                    nextReport += 15;
                }
                Thread.sleep(1000);
            }
            for (Future<?> w : workers) {
                w.get();
            }
            pool.shutdown();
            Await.until("the last exchanges to complete", () -> stats.snapshot().requestsInFlight() == 0
                    && stats.snapshot().requests() >= clientRequests.get());
            BandwidthSnapshot end = stats.snapshot();
            System.out.printf("%nclient: %d requests, %d bytes up, %d bytes down%n", clientRequests.get(),
                    clientBytesUp.get(), clientBytesDown.get());
            System.out.printf("server: %d requests, %d bytes in, %d bytes out, %d in flight, %d scrapes%n",
                    end.requests(), end.bytesReceived(), end.bytesSent(), end.requestsInFlight(), scrapes);
            System.out.printf("drift:  %d requests, %d bytes in, %d bytes out%n", end.requests() - clientRequests.get(),
                    end.bytesReceived() - clientBytesUp.get(), end.bytesSent() - clientBytesDown.get());
        }
    }

    private static double heapAfterGcMb() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
    }
}
