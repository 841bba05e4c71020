package io.github.httpbandwidth;

import io.prometheus.jmx.JmxCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import io.undertow.util.PathTemplateMatch;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Map;

/**
 * Where a scrape's time goes at the default caps full (256 endpoints x 2 status classes, 50 clients + (other)), in one
 * JVM with the JMX exporter's own collector (1.0.1, the agent's engine) and the shipped rules: one collection whole,
 * against the part that is ours, the BandwidthStats MBean's {@code getAttributes} of every attribute (the snapshot
 * and the open data the agent walks). Medians after 100 rounds for warm-up ({@code -Dsplit.rounds}, default 300).
 * Run: {@code java -cp <benchmark class path> io.github.httpbandwidth.ScrapeSplit [rules file]}.
 */
public final class ScrapeSplit {

    private ScrapeSplit() {
    }

    public static void main(String[] args) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        BandwidthStats stats = BandwidthStats.builder().name("split").clientKey(ClientKey.header("X-Worker-Id"))
                .build();
        ObjectName name = stats.registerMBean(server);
        HttpString worker = new HttpString("X-Worker-Id");
        for (int r = 0; r < BandwidthStats.DEFAULT_ENDPOINT_CAP; r++) {
            for (int status : new int[] {200, 404}) {
                HttpServerExchange exchange = new HttpServerExchange(null);
                exchange.putAttachment(PathTemplateMatch.ATTACHMENT_KEY,
                        new PathTemplateMatch("/endpoint/" + r, Map.of()));
                exchange.getRequestHeaders().put(worker, "worker-" + (r % 60));
                exchange.setStatusCode(status);
                StripedCounters.Cell cell = stats.cell();
                stats.exchangeStarted(cell);
                stats.sent(cell, 1000);
                stats.exchangeCompleted(cell, stats.endpointOf(exchange), exchange, 0, 1000);
            }
        }
        String[] attributes = Arrays.stream(server.getMBeanInfo(name).getAttributes())
                .map(MBeanAttributeInfo::getName).toArray(String[]::new);
        PrometheusRegistry registry = new PrometheusRegistry();
        new JmxCollector(new File(args.length > 0 ? args[0] : "jmx-exporter-config.yaml"), JmxCollector.Mode.AGENT)
                .register(registry);
        int rounds = Integer.getInteger("split.rounds", 300);
        long[] whole = new long[rounds - 100];
        long[] ours = new long[whole.length];
        int samples = 0;
        for (int i = 0; i < rounds; i++) {
            long start = System.nanoTime();
            samples = registry.scrape().size();
            long middle = System.nanoTime();
            server.getAttributes(name, attributes);
            long end = System.nanoTime();
            if (i >= 100) {
                whole[i - 100] = middle - start;
                ours[i - 100] = end - middle;
            }
        }
        Arrays.sort(whole);
        Arrays.sort(ours);
        System.out.printf("one collection: p50 %.2f ms (%d metric families); BandwidthStats getAttributes of its %d"
                + " attributes: p50 %.2f ms%n", whole[whole.length / 2] / 1e6, samples, attributes.length, ours[ours.length / 2] / 1e6);
        stats.close();
    }
}
