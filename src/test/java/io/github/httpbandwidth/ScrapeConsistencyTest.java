package io.github.httpbandwidth;

import io.prometheus.jmx.JmxCollector;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** Scrapes through the shipped rules, in parallel with load: every scrape adds up. */
class ScrapeConsistencyTest {

    private static final int THREADS = 8;
    private static final int ROUNDS = 150;

    @Test
    void everyConcurrentScrapeIsConsistent() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("scrape-consistency").build();
        stats.registerMBean(ManagementFactory.getPlatformMBeanServer());
        PrometheusRegistry registry = new PrometheusRegistry();
        new JmxCollector(new File("jmx-exporter-config.yaml"), JmxCollector.Mode.AGENT).register(registry);
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, TestRoutes.basic()))) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            AtomicBoolean loading = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(THREADS + 2);
            CountDownLatch gate = new CountDownLatch(1);
            List<Future<Integer>> scrapers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                scrapers.add(pool.submit(() -> scrapeUntilStopped(registry, loading)));
            }
            List<Future<?>> clients = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                clients.add(pool.submit(() -> {
                    gate.await();
                    for (int i = 0; i < ROUNDS; i++) {
                        client.send(HttpRequest.newBuilder(server.uri("/small")).build(), HttpResponse.BodyHandlers.discarding());
                        client.send(HttpRequest.newBuilder(server.uri("/upload"))
                                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[777])).build(),
                                HttpResponse.BodyHandlers.discarding());
                    }
                    return null;
                }));
            }
            gate.countDown();
            for (Future<?> c : clients) {
                c.get(120, TimeUnit.SECONDS);
            }
            Await.completed(stats, 2L * THREADS * ROUNDS);
            loading.set(false);
            for (Future<Integer> s : scrapers) {
                assertThat(s.get(60, TimeUnit.SECONDS)).as("consistent scrapes taken during the load").isPositive();
            }
            pool.shutdown();
        } finally {
            stats.close();
        }
    }

    /** Scrapes until told to stop; fails on the first scrape whose figures disagree. Returns the scrape count. */
    private static int scrapeUntilStopped(PrometheusRegistry registry, AtomicBoolean running) throws Exception {
        int scrapes = 0;
        Map<String, String> h = Map.of("handler", "scrape-consistency");
        while (running.get()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new PrometheusTextFormatWriter(false).write(out, registry.scrape());
            Exposition e = Exposition.parse(out.toString(StandardCharsets.UTF_8));
            for (String direction : new String[] {"inbound", "outbound"}) {
                double total = e.value("scheduler_http_bandwidth_bytes_total", MetricsContract.with(h, "direction", direction));
                double rows = e.find("scheduler_http_endpoint_bandwidth_bytes_total", MetricsContract.with(h, "direction", direction))
                        .stream().mapToDouble(Exposition.Sample::value).sum();
                // Rows move at completion, totals as bytes pass: rows never run ahead of the totals.
                assertThat(rows).as(direction + " rows against the total").isLessThanOrEqualTo(total);
            }
            double requests = e.value("scheduler_http_requests_total", h);
            assertThat(e.value("scheduler_http_request_size_bytes", MetricsContract.with(h, "le", "+Inf")))
                    .isEqualTo(requests).isEqualTo(e.value("scheduler_http_request_size_bytes_count", h));
            assertThat(e.value("scheduler_http_response_size_bytes", MetricsContract.with(h, "le", "+Inf")))
                    .isEqualTo(e.value("scheduler_http_response_size_bytes_count", h));
            assertThat(e.value("scheduler_http_requests_in_flight", h)).isNotNegative();
            scrapes++;
        }
        return scrapes;
    }
}
