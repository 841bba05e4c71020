package io.github.httpbandwidth;

import io.prometheus.jmx.JmxCollector;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import io.undertow.util.PathTemplateMatch;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.ByteArrayOutputStream;
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
        long[] inside = new long[whole.length];
        long[] text = new long[whole.length];
        PrometheusTextFormatWriter writer = new PrometheusTextFormatWriter(false);
        int bytes = 0;
        long pairs = 0;
        int families = 0;
        long points = 0;
        for (int i = 0; i < rounds; i++) {
            long start = System.nanoTime();
            MetricSnapshots snapshots = registry.scrape();
            long middle = System.nanoTime();
            families = snapshots.size();
            points = 0;
            for (MetricSnapshot snapshot : snapshots) {
                points += snapshot.getDataPoints().size();
                if (snapshot.getMetadata().getName().equals("jmx_scrape_cached_beans")) {
                    // the rule cache's entries this collection touched: one per (sample, rule tried)
                    pairs = (long) ((GaugeSnapshot) snapshot).getDataPoints().get(0).getValue();
                }
                if (i > 100 && snapshot.getMetadata().getName().equals("jmx_scrape_duration_seconds")) {
                    // set by the previous round's collection: the collector's own figure, what the agent exports
                    inside[i - 101] = (long) (((GaugeSnapshot) snapshot).getDataPoints().get(0).getValue() * 1e9);
                }
            }
            server.getAttributes(name, attributes);
            long end = System.nanoTime();
            ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 19);
            writer.write(out, snapshots);
            bytes = out.size();
            long written = System.nanoTime();
            if (i >= 100) {
                whole[i - 100] = middle - start;
                ours[i - 100] = end - middle;
                text[i - 100] = written - end;
            }
        }
        Arrays.sort(whole);
        Arrays.sort(ours);
        Arrays.sort(text);
        long[] measured = Arrays.copyOf(inside, inside.length - 1);
        Arrays.sort(measured);
        System.out.printf("one collection: p50 %.2f ms whole, %.2f ms inside the collector (jmx_scrape_duration_seconds)"
                + " (%d metric families, %d samples); BandwidthStats getAttributes of its %d attributes: p50 %.2f ms%n",
                whole[whole.length / 2] / 1e6, measured[measured.length / 2] / 1e6, families, points,
                attributes.length, ours[ours.length / 2] / 1e6);
        String dump = System.getProperty("split.dump");
        if (dump != null) {
            // the last collection's exposition, to compare two rules files' series and values
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            writer.write(out, registry.scrape());
            java.nio.file.Files.write(java.nio.file.Path.of(dump), out.toByteArray());
        }
        System.out.printf("rules tried over all samples (jmx_scrape_cached_beans): %d%n", pairs);
        System.out.printf("writing them in the text format the agent serves (%d bytes): p50 %.2f ms%n", bytes,
                text[text.length / 2] / 1e6);
        stats.close();
    }
}
