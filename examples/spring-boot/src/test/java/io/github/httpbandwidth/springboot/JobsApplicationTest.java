package io.github.httpbandwidth.springboot;

import io.github.httpbandwidth.BandwidthSnapshot;
import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.ClientSnapshot;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** The real application on Undertow, a random port and a context path; exact bytes per Spring MVC route. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.servlet.context-path=/api", "bandwidth.client-key=header:X-Worker-Id|remote-address",
                "bandwidth.client-capacity=20"})
class JobsApplicationTest {

    @LocalServerPort
    int port;
    @Autowired
    BandwidthStats stats;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void routePatternsAreTheEndpointsWithExactBytes() throws Exception {
        for (int i = 0; i < 5; i++) {
            HttpResponse<byte[]> job = client.send(HttpRequest.newBuilder(uri("/api/jobs/" + i))
                    .header("X-Worker-Id", "worker-" + (i % 2)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(job.body()).hasSize(1000);
        }
        HttpResponse<String> upload = client.send(HttpRequest.newBuilder(uri("/api/artifacts/a.bin"))
                .header("Content-Type", "application/octet-stream").header("X-Worker-Id", "worker-1")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[12_345])).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(upload.body()).isEqualTo("n=12345");
        HttpResponse<String> missing = client.send(HttpRequest.newBuilder(uri("/api/nothing/here")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);

        BandwidthSnapshot s = completed(7);
        assertThat(s.endpoint("/api/jobs/{id}").requests()).isEqualTo(5);
        assertThat(s.endpoint("/api/jobs/{id}").bytesSent()).isEqualTo(5000);
        assertThat(s.endpoint("/api/artifacts/{name}").bytesReceived()).isEqualTo(12_345);
        assertThat(s.endpoint("/api/artifacts/{name}").bytesSent()).isEqualTo("n=12345".length());
        assertThat(s.bytesReceived()).isEqualTo(12_345);
        // A path no controller matched is on the pattern of the handler that took it, Spring MVC's static
        // resources; not on Boot's /error, whose controller renders the 404.
        assertThat(s.endpoint("/api/**")).as("the 404's row among %s", s.endpoints()).isNotNull();
        assertThat(s.endpoint("/api/**").requests()).isEqualTo(1);
        assertThat(s.endpoint("/api/error")).as("no /error row among %s", s.endpoints()).isNull();
        // No raw path ever names a row.
        assertThat(s.endpoints()).noneMatch(row -> row.endpoint().contains("nothing") || row.endpoint().matches(".*/jobs/\\d.*"));
        // Top clients by bandwidth.client-key: the worker id, else (the 404) the remote address.
        assertThat(s.clientCapacity()).isEqualTo(20);
        assertThat(s.clients()).contains(new ClientSnapshot("worker-0", 0, 3000, 3, 0),
                new ClientSnapshot("worker-1", 12_345, 2000 + "n=12345".length(), 3, 0),
                new ClientSnapshot("127.0.0.1", 0, s.endpoint("/api/**").bytesSent(), 1, 0));
        assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(
                new ObjectName("io.github.httpbandwidth:type=BandwidthStats,name=spring-jobs"))).isTrue();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** Metrics land when an exchange completes, which can be just after the client has its answer. */
    private BandwidthSnapshot completed(long requests) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        BandwidthSnapshot s = stats.snapshot();
        // The totals are written before an exchange's row and client: wait until those have every exchange too.
        while ((s.requests() < requests || s.requestsInFlight() > 0 || rowRequests(s) < requests
                || clientRequests(s) < requests) && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
            s = stats.snapshot();
        }
        assertThat(s.requests()).as("completed exchanges").isEqualTo(requests);
        return s;
    }

    private static long rowRequests(BandwidthSnapshot s) {
        return s.endpoints().stream().mapToLong(row -> row.requests()).sum();
    }

    private static long clientRequests(BandwidthSnapshot s) {
        return s.clients().stream().mapToLong(ClientSnapshot::requests).sum();
    }
}
