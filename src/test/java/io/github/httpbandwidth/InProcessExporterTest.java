package io.github.httpbandwidth;

import io.github.httpbandwidth.inprocess.InProcessExporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The in-process exporter example (examples/in-process-exporter) with the shipped rules: the same end-to-end checks
 * as the agent, with the metrics served from the application's own JVM.
 */
class InProcessExporterTest {

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void inProcessExportShowsTheKnownTrafficExactly(@TempDir Path work) throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("in-process").classifier(new HeaderClassifier()).build();
        stats.registerMBean(ManagementFactory.getPlatformMBeanServer());
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, TestRoutes.basic()));
             InProcessExporter metrics = InProcessExporter.start("127.0.0.1", 0, Path.of("jmx-exporter-config.yaml"))) {
            ExportEndToEnd.run(work, "http://127.0.0.1:" + server.port(), "in-process", new ExportEndToEnd.Exporter() {
                @Override
                public String scrape() throws Exception {
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + metrics.port() + "/metrics")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).isEqualTo(200);
                    return r.body();
                }

                @Override
                public int port() {
                    return metrics.port();
                }
            });
        } finally {
            stats.close();
        }
    }

    @Test
    void aBadRulesFileIsRefusedAtStart(@TempDir Path work) throws Exception {
        Path bad = Files.writeString(work.resolve("bad.yaml"), "rules:\n  - pattern: '('\n");
        assertThatThrownBy(() -> InProcessExporter.start("127.0.0.1", 0, bad)).isInstanceOf(IllegalArgumentException.class);
    }
}
