package io.github.httpbandwidth.spring;

import io.prometheus.jmx.JmxCollector;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import org.springframework.core.io.ByteArrayResource;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Not a test: what one scrape of the shipped rules costs in Actuator's Prometheus registry (the rule engine's
 * collection and the text exposition), at {@code args[0]} routes (each answering with one status class) and 50 top
 * clients: as before the common tags (the engine registered in the registry itself), through
 * {@link CommonLabels} without common tags, and with two ({@code application}, {@code region}). The three take turns,
 * {@code args[1]} scrapes each per round, 5 rounds; medians. docs/PERFORMANCE.md gives the command and the figures.
 */
public class RulesScrapeCost {

    public static void main(String[] a) throws Exception {
        int rows = Integer.parseInt(a[0]);
        int scrapes = Integer.parseInt(a[1]);
        MetersCost.Counted counted = MetersCost.counted(rows);
        byte[] yaml = Files.readAllBytes(Path.of("../../jmx-exporter-config.yaml"));

        PrometheusRegistry before = new PrometheusRegistry();
        new JmxCollector(new String(yaml, java.nio.charset.StandardCharsets.UTF_8)).register(before);
        PrometheusRegistry plain = new PrometheusRegistry();
        BandwidthPrometheusAutoConfiguration.BandwidthRules.register(plain, new ByteArrayResource(yaml), Labels.EMPTY);
        PrometheusRegistry tagged = new PrometheusRegistry();
        BandwidthPrometheusAutoConfiguration.BandwidthRules.register(tagged, new ByteArrayResource(yaml),
                Labels.of("application", "jobs", "region", "eu-1"));
        PrometheusRegistry[] registries = {before, plain, tagged};
        String[] names = {"before (engine in the registry)", "CommonLabels, no common tags", "CommonLabels, 2 tags"};
        long[][] times = new long[3][];
        for (int i = 0; i < 3; i++) {
            times[i] = new long[0];
        }
        PrometheusTextFormatWriter writer = new PrometheusTextFormatWriter(false);
        int lines = 0;
        for (int round = -1; round < 5; round++) {
            for (int r = 0; r < 3; r++) {
                long[] t = new long[scrapes];
                for (int s = 0; s < scrapes; s++) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
                    long start = System.nanoTime();
                    writer.write(out, registries[r].scrape());
                    t[s] = System.nanoTime() - start;
                    if (r == 2) {
                        lines = out.toString().split("\n").length;
                    }
                }
                if (round >= 0) { // round -1 warms up
                    long[] all = Arrays.copyOf(times[r], times[r].length + t.length);
                    System.arraycopy(t, 0, all, times[r].length, t.length);
                    times[r] = all;
                }
            }
        }
        System.out.printf("rows %d, %d lines of exposition%n", rows, lines);
        for (int r = 0; r < 3; r++) {
            Arrays.sort(times[r]);
            System.out.printf("%-32s p50 %.2f ms, p10 %.2f ms, p90 %.2f ms (%d scrapes)%n", names[r],
                    times[r][times[r].length / 2] / 1e6, times[r][times[r].length / 10] / 1e6,
                    times[r][times[r].length * 9 / 10] / 1e6, times[r].length);
        }
        counted.server().stop();
        System.exit(0);
    }
}
