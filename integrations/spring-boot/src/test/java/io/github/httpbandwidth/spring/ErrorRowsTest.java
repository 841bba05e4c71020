package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthSnapshot;
import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.testapp.TestApplication;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.util.Map;

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

    @Test
    void errorsStayOnTheEndpointThatFailed() throws Exception {
        long failed = get("/jobs/boom", 500) + get("/jobs/conflict", 409);
        long fine = get("/jobs/1", 200);
        long missing = get("/nothing/here", 404);

        BandwidthSnapshot s = Await.completed(stats, 4);
        assertThat(Loopback.bytesSentByRow(s)).isEqualTo(Map.of("/jobs/{id}", failed + fine, "/**", missing));
        assertThat(s.endpoint("/jobs/{id}").requests()).isEqualTo(3);
        assertThat(Loopback.statusClasses(s)).containsExactlyInAnyOrderEntriesOf(Map.of("/jobs/{id} 5xx", 1L, "/jobs/{id} 4xx", 1L,
                "/jobs/{id} 2xx", 1L, "/** 4xx", 1L));
    }

    private long get(String path, int status) throws Exception {
        return Loopback.get(port, path, status);
    }
}
