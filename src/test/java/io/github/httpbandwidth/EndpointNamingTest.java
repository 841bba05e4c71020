package io.github.httpbandwidth;

import io.undertow.Handlers;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.server.handlers.RequestBufferingHandler;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Which row an exchange lands on: mount prefixes, handlers that read before the router, one classifier call. */
class EndpointNamingTest {

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void routersMountedUnderAPrefixKeepThePrefix() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("prefix-test").build();
        HttpHandler routes = Handlers.path()
                .addPrefixPath("/v1", jobs("v1"))
                .addPrefixPath("/v2/", jobs("v2-"))
                .addPrefixPath("/", jobs("root"));
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, routes))) {
            get(server, "/v1/jobs/5");
            get(server, "/v2/jobs/5");
            get(server, "/v2/jobs/6");
            get(server, "/jobs/7");

            BandwidthSnapshot s = Await.completed(stats, 4);
            assertThat(s.endpoint("/v1/jobs/{id}").requests()).isEqualTo(1);
            assertThat(s.endpoint("/v1/jobs/{id}").bytesSent()).isEqualTo("v1".length());
            assertThat(s.endpoint("/v2/jobs/{id}").requests()).isEqualTo(2);
            assertThat(s.endpoint("/v2/jobs/{id}").bytesSent()).isEqualTo(2 * "v2-".length());
            assertThat(s.endpoint("/jobs/{id}").requests()).isEqualTo(1);
            assertThat(s.endpoint("(unmatched)").requests()).isZero();
        }
    }

    @Test
    void aHandlerThatReadsTheBodyBeforeTheRouterLeavesTheExchangeOnItsRoute() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("buffering-test").build();
        HttpHandler chain = new RequestBufferingHandler(TestRoutes.basic(), 4);
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, chain))) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(server.uri("/upload"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(BodyCountingTest.filled(12_345))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).isEqualTo("n=12345");

            BandwidthSnapshot s = Await.completed(stats, 1);
            assertThat(s.bytesReceived()).isEqualTo(12_345);
            assertThat(s.endpoint("/upload").bytesReceived()).isEqualTo(12_345);
            assertThat(s.endpoint("/upload").bytesSent()).isEqualTo("n=12345".length());
            assertThat(s.endpoint("(unmatched)").bytesReceived()).isZero();
            assertThat(s.endpoint("(unmatched)").requests()).isZero();
        }
    }

    @Test
    void theClassifierRunsOncePerExchangeEvenWhenBothDirectionsMoveAtOnce() throws Exception {
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        EndpointClassifier counting = exchange -> {
            calls.computeIfAbsent(exchange.getRequestHeaders().getFirst("X-Call"), k -> new AtomicInteger())
                    .incrementAndGet();
            return EndpointClassifier.routeTemplate().classify(exchange);
        };
        BandwidthStats stats = BandwidthStats.builder().name("classifier-once").classifier(counting).build();
        // Full duplex: the response starts before the request body is read, over HTTP/2 and HTTP/1.1.
        RoutingHandler echo = Handlers.routing().post("/echo/{n}", TestRoutes.blocking(ex -> {
            ex.getOutputStream().write(BodyCountingTest.filled(70_000));
            ex.getOutputStream().flush();
            byte[] in = ex.getInputStream().readAllBytes();
            ex.getOutputStream().write(in);
        }));
        try (TestServer server = TestServer.startHttp2(new BandwidthHandler(stats, echo))) {
            HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
            for (int i = 0; i < 5; i++) {
                HttpResponse<byte[]> r = (i % 2 == 0 ? h2 : client).send(HttpRequest.newBuilder(server.uri("/echo/" + i))
                        .header("X-Call", "c" + i)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(BodyCountingTest.filled(50_000))).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(r.body()).hasSize(120_000);
            }
            BandwidthSnapshot s = Await.completed(stats, 5);
            assertThat(calls).hasSize(5);
            assertThat(calls.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
            assertThat(s.endpoint("/echo/{n}").requests()).isEqualTo(5);
            assertThat(s.endpoint("/echo/{n}").bytesReceived()).isEqualTo(5 * 50_000L);
            assertThat(s.endpoint("/echo/{n}").bytesSent()).isEqualTo(5 * 120_000L);
            assertThat(s.bytesSent()).isEqualTo(5 * 120_000L);
        }
    }

    private void get(TestServer server, String path) throws Exception {
        assertThat(client.send(HttpRequest.newBuilder(server.uri(path)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    private static RoutingHandler jobs(String body) {
        return Handlers.routing().get("/jobs/{id}", (HttpServerExchange ex) ->
                ex.getResponseSender().send(ByteBuffer.wrap(body.getBytes())));
    }
}
