package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthSnapshot;
import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.testapp.TestApplication;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The layout of many production services: the application under a context path, Actuator on a management port of
 * its own. The application's routes are named with the context path; /actuator/prometheus on the management port
 * carries the shipped rules' series, and its scrapes are not counted (they are not the application's traffic).
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "server.servlet.context-path=/svc",
                "management.server.port=0", "management.server.address=127.0.0.1",
                "management.endpoints.web.exposure.include=prometheus",
                "management.prometheus.metrics.export.enabled=true", "bandwidth.name=mgmt", "bandwidth.row-hold=0s"})
class ManagementPortTest {

    @LocalServerPort
    int port;
    @LocalManagementPort
    int managementPort;
    @Autowired
    BandwidthStats stats;

    @Test
    void theApplicationIsCountedUnderItsContextPathAndTheManagementPortIsNot() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(Loopback.get(port, "/svc/jobs/" + i, 200)).isEqualTo(1000);
        }
        assertThat(Loopback.post(port, "/svc/artifacts/x", new byte[4_321], 200)).isEqualTo("n=4321".length());
        BandwidthSnapshot before = Await.completed(stats, 4);
        assertThat(before.endpoint("/svc/jobs/{id}").requests()).isEqualTo(3);
        assertThat(before.endpoint("/svc/artifacts/{name}").bytesReceived()).isEqualTo(4_321);

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int scrape = 0; scrape < 2; scrape++) {
            HttpResponse<String> text = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + managementPort + "/actuator/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(text.statusCode()).isEqualTo(200);
            assertThat(text.body().lines()).contains(
                    "scheduler_http_requests_total{handler=\"mgmt\"} 4.0",
                    "scheduler_http_bandwidth_bytes_total{direction=\"inbound\",handler=\"mgmt\"} 4321.0",
                    "scheduler_http_endpoint_requests_total{endpoint=\"/svc/jobs/{id}\",handler=\"mgmt\"} 3.0");
        }
        // An application request after the scrapes completes after them: had they counted, it would be the 7th.
        assertThat(Loopback.get(port, "/svc/jobs/9", 200)).isEqualTo(1000);
        BandwidthSnapshot after = Await.completed(stats, 5);
        assertThat(after.bytesSent()).isEqualTo(before.bytesSent() + 1000);
        assertThat(after.endpoints()).noneMatch(e -> e.endpoint().contains("actuator"));
    }
}
