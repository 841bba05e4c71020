package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthSnapshot;
import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.testapp.TestApplication;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Routes that are not plain controller methods are named by their pattern too: functional endpoints
 * ({@code RouterFunction}, nested, and one that fails), a controller answering asynchronously (a
 * {@code CompletableFuture}, an async dispatch), one streaming its answer ({@code StreamingResponseBody}), and a
 * pattern with a regex; each row's bytes are what the client received.
 */
@SpringBootTest(classes = {TestApplication.class, RouteKindsTest.Functional.class, RouteKindsTest.Controllers.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "bandwidth.name=route-kinds", "bandwidth.row-hold=0s"})
class RouteKindsTest {

    @LocalServerPort
    int port;
    @Autowired
    BandwidthStats stats;

    @Configuration
    static class Functional {
        @Bean
        RouterFunction<ServerResponse> functionalRoutes() {
            return RouterFunctions.route()
                    .GET("/fn/{id}", request -> ServerResponse.ok().body("fn " + request.pathVariable("id")))
                    .path("/nested", routes -> routes.GET("/{x}/leaf", request -> ServerResponse.ok().body("leaf")))
                    .GET("/fn-fails/{id}", request -> {
                        throw new IllegalStateException("failing on purpose");
                    })
                    .build();
        }
    }

    @RestController
    static class Controllers {
        @GetMapping("/later/{id}")
        CompletableFuture<String> later(@PathVariable String id) {
            return CompletableFuture.supplyAsync(() -> "later " + id);
        }

        @GetMapping("/stream/{id}")
        StreamingResponseBody stream(@PathVariable String id) {
            return out -> out.write(new byte[12_345]);
        }

        @GetMapping("/numbered/{id:\\d+}")
        String numbered(@PathVariable String id) {
            return "number " + id;
        }
    }

    @Test
    void everyKindOfRouteIsNamedByItsPattern() throws Exception {
        Map<String, Long> sent = new TreeMap<>();
        sent.merge("/fn/{id}", get("/fn/1", 200), Long::sum);
        sent.merge("/nested/{x}/leaf", get("/nested/a/leaf", 200), Long::sum);
        sent.merge("/fn-fails/{id}", get("/fn-fails/1", 500), Long::sum);
        sent.merge("/later/{id}", get("/later/7", 200), Long::sum);
        sent.merge("/stream/{id}", get("/stream/3", 200), Long::sum);
        sent.merge("/numbered/{id:\\d+}", get("/numbered/12", 200), Long::sum);
        sent.merge("/**", get("/numbered/ab", 404), Long::sum);

        BandwidthSnapshot s = Await.completed(stats, 7);
        assertThat(Loopback.bytesSentByRow(s)).isEqualTo(sent);
        assertThat(s.endpoint("/stream/{id}").bytesSent()).isEqualTo(12_345);
        assertThat(s.endpoint("/later/{id}").bytesSent()).isEqualTo("later 7".length());
        assertThat(Loopback.statusClasses(s)).isEqualTo(Map.of("/fn/{id} 2xx", 1L, "/nested/{x}/leaf 2xx", 1L,
                "/fn-fails/{id} 5xx", 1L, "/later/{id} 2xx", 1L, "/stream/{id} 2xx", 1L, "/numbered/{id:\\d+} 2xx", 1L,
                "/** 4xx", 1L));
    }

    private long get(String path, int status) throws Exception {
        return Loopback.get(port, path, status);
    }
}
