package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthSnapshot;
import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.StatusClassSnapshot;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An exception or an error status from a controller is counted on the controller's endpoint and status class, not
 * on Boot's {@code /error}, which renders the answer; a path no controller matched is on the pattern of the handler
 * that took it, Spring MVC's static resources ({@code /**}).
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "bandwidth.name=error-rows", "bandwidth.row-hold=0s"})
class ErrorRowsTest {

    @LocalServerPort
    int port;
    @Autowired
    BandwidthStats stats;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void errorsStayOnTheEndpointThatFailed() throws Exception {
        long failed = get("/jobs/boom", 500) + get("/jobs/conflict", 409);
        long fine = get("/jobs/1", 200);
        long missing = get("/nothing/here", 404);

        BandwidthSnapshot s = Await.completed(stats, 4);
        Map<String, Long> rows = new TreeMap<>();
        s.endpoints().stream().filter(row -> row.requests() > 0).forEach(row -> rows.put(row.endpoint(), row.requests()));
        assertThat(rows).containsExactlyInAnyOrderEntriesOf(Map.of("/jobs/{id}", 3L, "/**", 1L));
        assertThat(s.endpoint("/jobs/{id}").bytesSent()).isEqualTo(failed + fine);
        assertThat(s.endpoint("/**").bytesSent()).isEqualTo(missing);
        Map<String, Long> classes = new TreeMap<>();
        for (StatusClassSnapshot row : s.statusClasses()) {
            if (row.requests() > 0) {
                classes.put(row.endpoint() + " " + row.statusClass(), row.requests());
            }
        }
        assertThat(classes).containsExactlyInAnyOrderEntriesOf(Map.of("/jobs/{id} 5xx", 1L, "/jobs/{id} 4xx", 1L,
                "/jobs/{id} 2xx", 1L, "/** 4xx", 1L));
    }

    private long get(String path, int status) throws Exception {
        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).as(path).isEqualTo(status);
        return response.body().length;
    }
}
