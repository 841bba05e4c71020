package io.github.httpbandwidth;

import io.prometheus.jmx.JmxCollector;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped jmx-exporter-config.yaml, loaded in process by the exporter's own collector. */
class ExporterRulesTest {

    static BandwidthStats stats;
    static String text;

    @BeforeAll
    static void scrape() throws Exception {
        stats = KnownTraffic.countedInto("rules-test");
        PrometheusRegistry registry = new PrometheusRegistry();
        new JmxCollector(new File("jmx-exporter-config.yaml"), JmxCollector.Mode.AGENT).register(registry);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PrometheusTextFormatWriter(false).write(out, registry.scrape());
        text = out.toString(StandardCharsets.UTF_8);
    }

    @AfterAll
    static void close() {
        stats.close();
    }

    @Test
    void everyContractMetricHasItsNameTypeHelpLabelsAndExactValue() {
        MetricsContract.assertKnownTraffic(Exposition.parse(text), "rules-test");
    }

    @Test
    void endpointLabelsCarryAnyStringExactly() {
        Exposition e = Exposition.parse(text);
        java.util.Set<String> endpoints = new java.util.HashSet<>();
        e.find("scheduler_http_endpoint_requests_total", java.util.Map.of("handler", "rules-test"))
                .forEach(s -> endpoints.add(s.labels().get("endpoint")));

        assertThat(endpoints).contains(HeaderClassifier.AWKWARD_NAMES).contains("(unmatched)", "(overflow)", "/upload");
    }
}
