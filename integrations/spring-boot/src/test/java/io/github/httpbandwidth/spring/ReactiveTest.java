package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthSnapshot;
import io.github.httpbandwidth.BandwidthStats;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.WebSocketHandler;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import javax.management.ObjectName;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring WebFlux on Undertow (spring-boot-starter-webflux without Reactor Netty, spring-boot-starter-undertow): every
 * exchange counted, each on its WebFlux pattern behind the base path ({@code spring.webflux.base-path}), annotated
 * controllers and functional routes alike, failures on their route, Boot's compression counted as it crosses the
 * connection, a WebSocket's frames on its handshake's pattern; each row's bytes are what the client sent and
 * received, in the MBean and on /actuator/prometheus.
 */
@SpringBootTest(classes = ReactiveTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.main.web-application-type=reactive", "server.address=127.0.0.1",
                "spring.webflux.base-path=/app", "server.compression.enabled=true",
                "server.compression.min-response-size=1", "management.endpoints.web.exposure.include=prometheus",
                "management.prometheus.metrics.export.enabled=true", "bandwidth.name=reactive",
                "bandwidth.row-hold=0s"})
class ReactiveTest {

    @LocalServerPort
    int port;
    @Autowired
    BandwidthStats stats;

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({Controllers.class, Functional.class})
    static class App {
    }

    @RestController
    static class Controllers {
        @GetMapping(value = "/jobs/{id}", produces = "text/plain")
        Mono<String> job(@PathVariable String id) {
            if (id.equals("boom")) {
                return Mono.error(new IllegalStateException("failing on purpose"));
            }
            return Mono.just("j".repeat(1000));
        }

        /** Counts the body as it streams in (larger than the codecs' 256 KiB in-memory limit). */
        @PostMapping(value = "/artifacts/{name}", produces = "text/plain")
        Mono<String> upload(@PathVariable String name, @RequestBody Flux<DataBuffer> body) {
            return body.map(buffer -> {
                int n = buffer.readableByteCount();
                DataBufferUtils.release(buffer);
                return (long) n;
            }).reduce(0L, Long::sum).map(n -> "n=" + n);
        }

        @GetMapping(value = "/stream/{id}", produces = "text/plain")
        Flux<String> stream(@PathVariable String id) {
            return Flux.range(0, 10).map(i -> "s".repeat(1234));
        }
    }

    @org.springframework.context.annotation.Configuration
    static class Functional {
        @Bean
        RouterFunction<ServerResponse> functionalRoutes() {
            return RouterFunctions.route()
                    .GET("/fn/{id}", request -> ServerResponse.ok().bodyValue("fn " + request.pathVariable("id")))
                    .path("/nested", routes -> routes.GET("/{x}/leaf", request -> ServerResponse.ok().bodyValue("leaf")))
                    .build();
        }

        @Bean
        HandlerMapping webSocketEcho() {
            WebSocketHandler echo = session -> session.send(session.receive()
                    .map(message -> session.textMessage(message.getPayloadAsText())));
            return new SimpleUrlHandlerMapping(Map.of("/ws/echo", echo), -1);
        }
    }

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void everyExchangeIsCountedOnItsPatternBehindTheBasePath() throws Exception {
        Map<String, Long> sent = new TreeMap<>();
        sent.merge("/app/jobs/{id}", get("/app/jobs/1", 200), Long::sum);
        sent.merge("/app/jobs/{id}", get("/app/jobs/boom", 500), Long::sum);
        sent.merge("/app/artifacts/{name}", post("/app/artifacts/a", new byte[300_000]), Long::sum);
        sent.merge("/app/artifacts/{name}", post("/app/artifacts/b", new byte[1]), Long::sum);
        sent.merge("/app/stream/{id}", get("/app/stream/1", 200), Long::sum);
        sent.merge("/app/fn/{id}", get("/app/fn/7", 200), Long::sum);
        sent.merge("/app/nested/{x}/leaf", get("/app/nested/q/leaf", 200), Long::sum);
        sent.merge("/app/**", get("/app/nowhere", 404), Long::sum);
        sent.merge("(unmatched)", get("/elsewhere", 404), Long::sum);
        HttpResponse<byte[]> gzipped = client.send(HttpRequest.newBuilder(uri("/app/jobs/2"))
                .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(gzipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(new GZIPInputStream(new ByteArrayInputStream(gzipped.body())).readAllBytes()).hasSize(1000);
        sent.merge("/app/jobs/{id}", (long) gzipped.body().length, Long::sum);

        BandwidthSnapshot s = Await.completed(stats, 10);
        assertThat(Loopback.bytesSentByRow(s)).isEqualTo(sent);
        assertThat(s.bytesReceived()).isEqualTo(300_001);
        assertThat(s.endpoint("/app/artifacts/{name}").bytesReceived()).isEqualTo(300_001);
        assertThat(s.endpoint("/app/stream/{id}").bytesSent()).isEqualTo(12_340);
        assertThat(s.bytesSent()).isEqualTo(sent.values().stream().mapToLong(Long::longValue).sum());
        assertThat(Loopback.statusClasses(s)).isEqualTo(Map.of("/app/jobs/{id} 2xx", 2L, "/app/jobs/{id} 5xx", 1L,
                "/app/artifacts/{name} 2xx", 2L, "/app/stream/{id} 2xx", 1L, "/app/fn/{id} 2xx", 1L,
                "/app/nested/{x}/leaf 2xx", 1L, "/app/** 4xx", 1L, "(unmatched) 4xx", 1L));
        assertThat(ManagementFactory.getPlatformMBeanServer().getAttribute(
                new ObjectName("io.github.httpbandwidth:type=BandwidthStats,name=reactive"), "Requests")).isEqualTo(10L);

        // The scrape itself is an exchange of the application: the figures below were fixed before it.
        HttpResponse<String> scrape = client.send(HttpRequest.newBuilder(uri("/app/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(scrape.statusCode()).isEqualTo(200);
        String text = scrape.body();
        assertThat(StarterTest.value(text,
                "scheduler_http_bandwidth_bytes_total{direction=\"inbound\",handler=\"reactive\"}")).isEqualTo(300_001);
        assertThat(StarterTest.value(text, "scheduler_http_endpoint_bandwidth_bytes_total{direction=\"outbound\","
                + "endpoint=\"/app/jobs/{id}\",handler=\"reactive\"}")).isEqualTo((double) sent.get("/app/jobs/{id}"));
        assertThat(StarterTest.value(text,
                "scheduler_http_endpoint_requests_total{endpoint=\"/app/stream/{id}\",handler=\"reactive\"}")).isEqualTo(1);

        // A WebSocket: every frame byte after the 101 on the handshake's pattern, as it passes (frame sizes:
        // Loopback.echoTen); the connection open while it is.
        WebSocket socket = Loopback.echoTen(port, "/app/ws/echo");
        BandwidthSnapshot open = Await.until(stats, now -> now.endpoint("/app/ws/echo") != null
                && now.endpoint("/app/ws/echo").bytesSent() >= 10 * 1_004);
        assertThat(open.upgradedConnectionsOpen()).isEqualTo(1);
        assertThat(open.endpoint("/app/ws/echo").bytesReceived()).isEqualTo(10 * 1_008);
        assertThat(open.endpoint("/app/ws/echo").bytesSent()).isEqualTo(10 * 1_004);
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
        BandwidthSnapshot closed = Await.until(stats, now -> now.upgradedConnectionsOpen() == 0);
        // The client's close frame (2 B of header, a 4 B mask, 2 B of status, "bye"); WebFlux answers with the status.
        assertThat(closed.endpoint("/app/ws/echo").bytesReceived()).isEqualTo(10 * 1_008 + 11);
        assertThat(closed.endpoint("/app/ws/echo").bytesSent()).isEqualTo(10 * 1_004 + 4);
        assertThat(closed.endpoint("/app/ws/echo").requests()).isEqualTo(1);
    }

    private long get(String path, int status) throws Exception {
        return Loopback.get(port, path, status);
    }

    private long post(String path, byte[] body) throws Exception {
        return Loopback.post(port, path, body, 200);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
