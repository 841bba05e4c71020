package io.github.httpbandwidth;

import io.prometheus.jmx.JmxCollector;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.PathTemplateMatch;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every endpoint name a classifier can return reaches Prometheus as its own valid, non-empty label value: the
 * shipped rules under the exporter's own collector.
 */
class EndpointNamesExportTest {

    private static final String LONG = "/" + "x".repeat(400);

    @Test
    void namesAreMendedOnlyWhereExportWouldBreakThem() {
        assertThat(EndpointNames.safe("")).isEqualTo("(empty)");
        assertThat(EndpointNames.safe("/a\uD800")).isEqualTo("/a\uFFFD");
        assertThat(EndpointNames.safe("/a\uDC00b")).isEqualTo("/a\uFFFDb");
        assertThat(EndpointNames.safe("/\uD83D\uDE00")).isEqualTo("/\uD83D\uDE00");
        assertThat(EndpointNames.safe("/q\"b\\c<d,e=f>")).isEqualTo("/q\"b\\c<d,e=f>");
        // Control characters: the text format escapes only the line feed, and a raw CR or NUL would reach scrapers.
        assertThat(EndpointNames.safe("/a\nb\rc\u0000d\te\u0085")).isEqualTo("/a?b?c?d?e?");
        // A classifier cannot reach the fixed rows by their names.
        assertThat(EndpointTable.rowName("(overflow)")).isEqualTo("_(overflow)");
        assertThat(EndpointTable.rowName("(unmatched)")).isEqualTo("_(unmatched)");
        assertThat(EndpointNames.safe(LONG)).hasSize(EndpointNames.MAX_LENGTH);
        // A cut never splits a surrogate pair.
        String pairAtTheCut = "/" + "y".repeat(EndpointNames.MAX_LENGTH - 2) + "\uD83D\uDE00";
        assertThat(EndpointNames.safe(pairAtTheCut)).isEqualTo("/" + "y".repeat(EndpointNames.MAX_LENGTH - 2));
    }

    @Test
    void distinctRowsGiveDistinctValidSeries() throws Exception {
        List<String> raw = List.of("", "/a\uD800", "/a\uDBFF", "/a\uDC00", "/\uD83D\uDE00", "/ok", LONG,
                LONG + "-longer", "/line\nbreak");
        BandwidthStats stats = BandwidthStats.builder().name("names-export")
                .classifier(exchange -> exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY).getMatchedTemplate())
                .build();
        stats.registerMBean(ManagementFactory.getPlatformMBeanServer());
        try {
            for (String name : raw) {
                HttpServerExchange exchange = new HttpServerExchange(null);
                exchange.putAttachment(PathTemplateMatch.ATTACHMENT_KEY, new PathTemplateMatch(name, Map.of()));
                ExchangeTallyDriver.complete(stats, stats.endpointOf(exchange), 0, 1);
            }
            Set<String> rows = stats.snapshot().endpoints().stream().map(EndpointSnapshot::endpoint)
                    .filter(n -> !n.equals("(unmatched)") && !n.equals("(overflow)")).collect(Collectors.toSet());
            // The three lone surrogates share one row; the two long names, cut at 256, share another.
            assertThat(rows).containsExactlyInAnyOrder("(empty)", "/a\uFFFD", "/\uD83D\uDE00", "/ok",
                    LONG.substring(0, EndpointNames.MAX_LENGTH), "/line?break");
            assertThat(stats.snapshot().endpoint("/a\uFFFD").requests()).isEqualTo(3);

            PrometheusRegistry registry = new PrometheusRegistry();
            new JmxCollector(new File("jmx-exporter-config.yaml"), JmxCollector.Mode.AGENT).register(registry);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new PrometheusTextFormatWriter(false).write(out, registry.scrape());
            String text = out.toString(StandardCharsets.UTF_8);
            // No ? from the exporter's UTF-8 encoder (the one row with a ? of its own is the mended line break).
            assertThat(text.lines().filter(l -> l.contains("handler=\"names-export\"") && !l.contains("/line?break")))
                    .noneMatch(l -> l.contains("?"));

            Set<String> labels = new HashSet<>();
            List<Exposition.Sample> series = Exposition.parse(text).find("scheduler_http_endpoint_requests_total",
                    Map.of("handler", "names-export"));
            series.forEach(s -> labels.add(s.labels().get("endpoint")));
            assertThat(series).hasSize(rows.size() + 2);
            assertThat(labels).hasSize(series.size()).doesNotContain("", null).containsAll(rows);
        } finally {
            stats.close();
        }
    }
}
