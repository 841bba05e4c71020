package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthSnapshot;
import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.testapp.TestApplication;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jersey beside Spring MVC (spring-boot-starter-jersey at {@code /rest}): the starter registers
 * {@code JaxRsEndpoints} in the application's {@code ResourceConfig}, so Jersey's requests are on their JAX-RS
 * templates, a sub-resource locator's too, and not all on the Jersey servlet's mapping, {@code /rest/*}.
 */
@SpringBootTest(classes = {TestApplication.class, JerseyTest.Jersey.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "bandwidth.name=jersey", "bandwidth.row-hold=0s",
                "spring.jersey.application-path=/rest"})
public class JerseyTest {

    @LocalServerPort
    int port;
    @Autowired
    BandwidthStats stats;

    @Configuration
    static class Jersey {
        @Bean
        ResourceConfig jerseyApplication() {
            return new ResourceConfig(Orders.class);
        }
    }

    @Path("/orders")
    public static class Orders {
        @GET
        @Path("{id}")
        public String order(@PathParam("id") String id) {
            return "order " + id;
        }

        @Path("{id}/lines")
        public Lines lines(@PathParam("id") String id) {
            return new Lines();
        }
    }

    public static class Lines {
        @GET
        @Path("{n}")
        public String line(@PathParam("n") String n) {
            return "line " + n;
        }
    }

    @Test
    void jerseyRequestsAreOnTheirTemplates() throws Exception {
        Map<String, Long> sent = new TreeMap<>();
        sent.merge("/rest/orders/{id}", get("/rest/orders/7", 200), Long::sum);
        sent.merge("/rest/orders/{id}", get("/rest/orders/8", 200), Long::sum);
        sent.merge("/rest/orders/{id}/lines/{n}", get("/rest/orders/7/lines/3", 200), Long::sum);
        sent.merge(unmatchedRow(), get("/rest/nothing", 404), Long::sum);
        sent.merge("/jobs/{id}", get("/jobs/1", 200), Long::sum);

        BandwidthSnapshot s = Await.completed(stats, 5);
        assertThat(Loopback.bytesSentByRow(s)).isEqualTo(sent);
        assertThat(s.endpoint("/rest/orders/{id}").requests()).isEqualTo(2);
        assertThat(s.endpoint("/rest/orders/{id}").bytesSent()).isEqualTo("order 7".length() + "order 8".length());
    }

    /** Where a request no resource matched is: on the Jersey servlet's mapping. */
    String unmatchedRow() {
        return "/rest/*";
    }

    private long get(String path, int status) throws Exception {
        return Loopback.get(port, path, status);
    }
}
