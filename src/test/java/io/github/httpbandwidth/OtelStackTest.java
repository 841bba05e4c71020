package io.github.httpbandwidth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code AGENT=otel examples/full-stack-deploy.sh start}: the example master under the real OpenTelemetry Java agent
 * with the shipped {@code integrations/opentelemetry/bandwidth-otel-rules.yaml}, its Prometheus exporter scraped by the
 * stack's Prometheus. An upload, its download and a refused request, compared with curl's own byte counts, per route
 * and per client, each row's first sample 0.
 */
class OtelStackTest {

    /**
     * The agent looks for new MBeans at growing intervals, up to a minute; then the master's 15 s row hold; then a
     * 5 s scrape.
     */
    private static final Duration DISCOVERY_HOLD_AND_SCRAPE = Duration.ofSeconds(100);

    @TempDir
    Path work;

    @Test
    void prometheusHasCurlsBytesPerRouteAndClientThroughTheOpenTelemetryAgent() throws Exception {
        try (ExampleStack stack = ExampleStack.start(work, Map.of("AGENT", "otel"))) {
            Shell.Result status = stack.script("start");
            assertThat(status.output()).contains("OpenTelemetry Java agent").contains("bandwidth-otel-rules.yaml");
            PrometheusApi prometheus = stack.prometheus();
            prometheus.awaitValue("count(undertow_bandwidth_requests_total{handler=\"master\"} >= 0)", 1);

            Files.write(work.resolve("a.bin"), new byte[250_000]);
            String[] up = stack.curl("-o /dev/null -w '%{http_code} %{size_upload} %{size_download}' "
                    + "-H 'X-Worker-Id: worker-9' -T a.bin " + stack.masterUrl("/artifacts/otel-a.bin")).split(" ");
            String down = stack.curl("-o /dev/null -w '%{http_code} %{size_download}' -H 'X-Worker-Id: worker-9' "
                    + stack.masterUrl("/artifacts/otel-a.bin"));
            assertThat(up[0] + " " + up[1]).isEqualTo("201 250000");
            long answered = Long.parseLong(up[2]);
            assertThat(down).isEqualTo("200 250000");

            String route = "undertow_bandwidth_route_body_io_bytes_total{handler=\"master\",http_route=\"/artifacts/{name}\"";
            prometheus.awaitValue(route + ",network_io_direction=\"receive\"}", 250_000, DISCOVERY_HOLD_AND_SCRAPE);
            prometheus.awaitValue("undertow_bandwidth_route_status_requests_total{handler=\"master\","
                    + "http_route=\"/artifacts/{name}\",http_response_status_class=\"2xx\"}", 2, DISCOVERY_HOLD_AND_SCRAPE);
            prometheus.awaitValue("undertow_bandwidth_client_body_io_bytes_total{handler=\"master\",client=\"worker-9\","
                    + "network_io_direction=\"transmit\"}", 250_000 + answered, DISCOVERY_HOLD_AND_SCRAPE);
            prometheus.awaitValue("undertow_bandwidth_client_body_io_bytes_total{handler=\"master\",client=\"worker-9\","
                    + "network_io_direction=\"receive\"}", 250_000, DISCOVERY_HOLD_AND_SCRAPE);
            // Born at zero: the row's and the client's first samples were 0, so increase() counts the upload.
            assertThat(prometheus.single("min_over_time(" + route + ",network_io_direction=\"receive\"}[10m])")).isZero();
            assertThat(prometheus.single("min_over_time(undertow_bandwidth_client_body_io_bytes_total{handler=\"master\","
                    + "client=\"worker-9\",network_io_direction=\"receive\"}[10m])")).isZero();
            assertThat(prometheus.single("sum(undertow_bandwidth_body_io_bytes_total{handler=\"master\","
                    + "network_io_direction=\"receive\"})")).isEqualTo(250_000);
        }
    }
}
