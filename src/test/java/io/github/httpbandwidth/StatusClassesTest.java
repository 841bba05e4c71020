package io.github.httpbandwidth;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Body bytes and requests per endpoint and response status class, through a real server and the shipped rules. */
class StatusClassesTest {

    @Test
    void eachClassOfAnEndpointHasItsExactBytesAndRequests() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("status-classes").build();
        stats.registerMBean(ManagementFactory.getPlatformMBeanServer());
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, TopClientsTest.echo()));
             RawHttp http = new RawHttp(server.port())) {
            TopClientsTest.post(http, null, 1000, 10, 201);
            TopClientsTest.post(http, null, 1000, 10, 200);
            for (int i = 0; i < 3; i++) {
                TopClientsTest.post(http, null, 100, 20, 401);
            }
            TopClientsTest.post(http, null, 5000, 0, 413);
            TopClientsTest.post(http, null, 1, 7, 503);
            // A 304 has no body: what the handler writes is discarded and counts 0 out.
            TopClientsTest.post(http, null, 0, 10, 304);
            BandwidthSnapshot s = Await.completed(stats, 8);

            assertThat(s.statusClasses()).containsExactlyInAnyOrder(
                    new StatusClassSnapshot("/echo", "2xx", 2000, 20, 2),
                    new StatusClassSnapshot("/echo", "3xx", 0, 0, 1),
                    new StatusClassSnapshot("/echo", "4xx", 5300, 60, 4),
                    new StatusClassSnapshot("/echo", "5xx", 1, 7, 1));
            EndpointSnapshot row = s.endpoint("/echo");
            assertThat(new long[] {row.bytesReceived(), row.bytesSent(), row.requests()})
                    .containsExactly(7301, 87, 8);

            Exposition scrape = TopClientsTest.scrape();
            Map<String, String> fourXx = Map.of("handler", "status-classes", "endpoint", "/echo", "status_class", "4xx");
            assertThat(scrape.value("scheduler_http_endpoint_status_requests_total", fourXx)).isEqualTo(4);
            assertThat(scrape.value("scheduler_http_endpoint_status_bandwidth_bytes_total",
                    MetricsContract.with(fourXx, "direction", "inbound"))).isEqualTo(5300);
            assertThat(scrape.value("scheduler_http_endpoint_status_bandwidth_bytes_total",
                    MetricsContract.with(fourXx, "direction", "outbound"))).isEqualTo(60);
            Set<String> classes = new HashSet<>();
            scrape.find("scheduler_http_endpoint_status_requests_total", Map.of("handler", "status-classes"))
                    .forEach(sample -> classes.add(sample.labels().get("status_class")));
            assertThat(classes).containsExactlyInAnyOrder("2xx", "3xx", "4xx", "5xx");
        } finally {
            stats.close();
        }
    }
}
