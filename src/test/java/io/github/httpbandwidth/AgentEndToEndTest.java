package io.github.httpbandwidth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * End to end: a child JVM under the real jmx_prometheus_javaagent 1.0.1 with the shipped rules, scraped directly
 * and by a real Prometheus running the shipped configuration.
 */
class AgentEndToEndTest {

    @Test
    void agentAndPrometheusShowTheKnownTrafficExactly(@TempDir Path work) throws Exception {
        try (AgentJvm app = AgentJvm.start("e2e", BandwidthStats.DEFAULT_ENDPOINT_CAP)) {
            ExportEndToEnd.run(work, app.httpBase(), "e2e", new ExportEndToEnd.Exporter() {
                @Override
                public String scrape() throws Exception {
                    return app.scrape();
                }

                @Override
                public int port() {
                    return app.metricsPort();
                }
            });
        }
    }
}
