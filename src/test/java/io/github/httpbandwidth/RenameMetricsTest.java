package io.github.httpbandwidth;

import io.prometheus.jmx.JmxCollector;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * examples/rename-metrics.sh: one prefix chooses every name. The example's own prefix gives the shipped files back
 * byte for byte; another prefix gives files that pass the same checks as the shipped ones.
 */
class RenameMetricsTest {

    private static final String PREFIX = "http_server_body";

    @TempDir
    static Path work;
    static BandwidthStats stats;

    @BeforeAll
    static void traffic() throws Exception {
        stats = KnownTraffic.countedInto("rename-test");
    }

    @AfterAll
    static void close() {
        stats.close();
    }

    @Test
    void theExamplesPrefixGivesTheShippedFilesBack() throws Exception {
        Path out = rename("--prefix scheduler_http --title Scheduler", "identity");
        assertThat(out.resolve("jmx-exporter-config.yaml")).hasSameBinaryContentAs(Path.of("jmx-exporter-config.yaml"));
        assertThat(out.resolve("prometheus/prometheus.yml")).hasSameBinaryContentAs(Path.of("examples/prometheus/prometheus.yml"));
        assertThat(out.resolve("prometheus/rules.yml")).hasSameBinaryContentAs(Path.of("examples/prometheus/rules.yml"));
        assertThat(out.resolve("prometheus/rules_test.yml")).hasSameBinaryContentAs(Path.of("examples/prometheus/rules_test.yml"));
        assertThat(out.resolve("grafana/dashboard.json")).hasSameBinaryContentAs(GrafanaDashboard.FILE);
    }

    @Test
    void anotherPrefixRenamesEverythingAndPassesTheSameChecks() throws Exception {
        Path out = rename("--prefix " + PREFIX, "renamed");
        for (String file : List.of("jmx-exporter-config.yaml", "prometheus/prometheus.yml", "prometheus/rules.yml",
                "prometheus/rules_test.yml", "grafana/dashboard.json")) {
            assertThat(Files.readString(out.resolve(file))).as(file).doesNotContain("scheduler_http", "scheduler:http", "Scheduler");
        }

        // The renamed rules under the exporter's own collector: the metrics contract, name for name.
        PrometheusRegistry registry = new PrometheusRegistry();
        new JmxCollector(out.resolve("jmx-exporter-config.yaml").toFile(), JmxCollector.Mode.AGENT).register(registry);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        new PrometheusTextFormatWriter(false).write(text, registry.scrape());
        String scraped = text.toString(StandardCharsets.UTF_8);
        assertThat(scraped).contains(PREFIX + "_bandwidth_bytes_total{").doesNotContain("scheduler_http");
        MetricsContract.assertKnownTraffic(Exposition.parse(scraped.replace(PREFIX + "_", "scheduler_http_")), "rename-test");

        // promtool: the configuration, the rules and their unit tests, renamed together.
        Promtool.Result config = Promtool.run(null, "check", "config", out.resolve("prometheus/prometheus.yml").toString());
        assertThat(config.exitCode()).as(config.output()).isZero();
        Promtool.Result rules = Promtool.run(null, "check", "rules", out.resolve("prometheus/rules.yml").toString());
        assertThat(rules.exitCode()).as(rules.output()).isZero();
        assertThat(rules.output()).contains("SUCCESS: 16 rules found");
        Promtool.Result tests = Promtool.run(null, "test", "rules", out.resolve("prometheus/rules_test.yml").toString());
        assertThat(tests.exitCode()).as(tests.output()).isZero();
        String renamedRules = Files.readString(out.resolve("prometheus/rules.yml"));
        assertThat(renamedRules).contains("record: http:server_body_bandwidth_bytes:rate1m",
                "alert: HttpServerBodyHighOutboundBandwidth", "name: http-server-body-bandwidth");

        // The dashboard asks only for names the renamed rules produce, under the new title.
        GrafanaDashboard dashboard = GrafanaDashboard.load(out.resolve("grafana/dashboard.json"), PREFIX);
        assertThat(dashboard.metricNames()).isNotEmpty();
        assertThat(RulesFile.namesProduced(out.resolve("jmx-exporter-config.yaml"))).containsAll(dashboard.metricNames());
        assertThat(dashboard.model).containsEntry("title", "HttpServerBody: HTTP Bandwidth")
                .containsEntry("uid", "http-server-body-bandwidth");
    }

    @Test
    void aBadPrefixIsRefusedWithWhatIsAllowed() throws Exception {
        Shell.Result bad = Shell.run(Path.of("").toAbsolutePath(), Map.of(),
                "examples/rename-metrics.sh --prefix 'Bad-Prefix' --out " + work.resolve("bad"), 60);
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.output()).contains("--prefix 'Bad-Prefix' is not allowed", "lower-case letters, digits and single underscores");
        assertThat(work.resolve("bad")).doesNotExist();
    }

    private static Path rename(String args, String dir) throws Exception {
        Path out = work.resolve(dir);
        Shell.Result result = Shell.run(Path.of("").toAbsolutePath(), Map.of(),
                "examples/rename-metrics.sh " + args + " --out " + out, 60);
        assertThat(result.exitCode()).as(result.output()).isZero();
        return out;
    }
}
