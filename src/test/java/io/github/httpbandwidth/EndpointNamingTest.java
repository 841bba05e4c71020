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
    void oneRouterMountedUnderMorePrefixesThanAreRememberedPerTemplateCountsEachOnItsOwnRow() throws Exception {
        // The same RoutingHandler under six prefixes: one template string, six mount paths; the table remembers
        // the rows of four per template and joins the names of the others per exchange. Nested path handlers make
        // a new resolved-path string per exchange (/api/v9), found by equality, not identity.
        int mounts = EndpointTable.MOUNTS_PER_TEMPLATE + 2;
        BandwidthStats stats = BandwidthStats.builder().name("many-mounts").build();
        RoutingHandler shared = jobs("shared");
        io.undertow.server.handlers.PathHandler paths = Handlers.path();
        for (int m = 0; m < mounts; m++) {
            paths.addPrefixPath("/m" + m, shared);
        }
        paths.addPrefixPath("/api", Handlers.path().addPrefixPath("/v9", shared));
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, paths))) {
            int exchanges = 0;
            for (int round = 1; round <= 3; round++) {
                for (int m = 0; m < mounts; m++) {
                    for (int i = 0; i <= m; i++) {
                        get(server, "/m" + m + "/jobs/" + i);
                        exchanges++;
                    }
                }
                get(server, "/api/v9/jobs/1");
                exchanges++;
            }

            BandwidthSnapshot s = Await.completed(stats, exchanges);
            for (int m = 0; m < mounts; m++) {
                assertThat(s.endpoint("/m" + m + "/jobs/{id}").requests()).as("/m" + m).isEqualTo(3L * (m + 1));
                assertThat(s.endpoint("/m" + m + "/jobs/{id}").bytesSent()).isEqualTo(3L * (m + 1) * "shared".length());
            }
            assertThat(s.endpoint("/api/v9/jobs/{id}").requests()).isEqualTo(3);
            assertThat(s.endpoint("(unmatched)").requests()).isZero();
            assertThat(s.endpoint("(overflow)").requests()).isZero();
        }
    }

    @Test
    void aMountedRouteThatCameAfterTheTableWasFullStaysOnTheOverflowRowAndOthersOnTheirs() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("mounted-full").endpointCap(1).build();
        HttpHandler routes = Handlers.path().addPrefixPath("/a", jobs("a")).addPrefixPath("/b", jobs("bb"));
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, routes))) {
            for (int i = 0; i < 3; i++) {
                get(server, "/a/jobs/" + i);
                get(server, "/b/jobs/" + i);
            }
            BandwidthSnapshot s = Await.completed(stats, 6);
            assertThat(s.endpoint("/a/jobs/{id}").requests()).isEqualTo(3);
            assertThat(s.endpoint("(overflow)").requests()).isEqualTo(3);
            assertThat(s.endpoint("(overflow)").bytesSent()).isEqualTo(3 * "bb".length());
        }
    }

    @Test
    void mountPathsAClientChoosesAreKeptWithinTheirBoundAndEveryExchangeCounts() throws Exception {
        // No handler of Undertow's puts what a client sends into the resolved path, but an application's own may:
        // here each request names its mount in a header, 120 distinct ones on one template, every third longer
        // than a row's name. The table keeps at most MOUNTS_PER_TEMPLATE of them and the rows stay within the cap.
        int exchanges = 120;
        BandwidthStats stats = BandwidthStats.builder().name("hostile-mounts").endpointCap(8).build();
        RoutingHandler routes = jobs("x");
        HttpHandler app = exchange -> {
            exchange.setResolvedPath(exchange.getRequestHeaders().getFirst("X-Mount"));
            routes.handleRequest(exchange);
        };
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, app))) {
            for (int i = 0; i < exchanges; i++) {
                String mount = i % 3 == 0 ? "/" + "m".repeat(EndpointNames.MAX_LENGTH + i) : "/m" + i;
                assertThat(client.send(HttpRequest.newBuilder(server.uri("/jobs/" + i)).header("X-Mount", mount)
                        .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            }
            BandwidthSnapshot s = Await.completed(stats, exchanges);
            assertThat(stats.mountsKept()).hasSizeBetween(1, EndpointTable.MOUNTS_PER_TEMPLATE)
                    .allSatisfy(kept -> assertThat(kept.length()).isLessThanOrEqualTo(EndpointNames.MAX_LENGTH));
            assertThat(s.endpoints()).hasSizeLessThanOrEqualTo(EndpointTable.maxRows(8));
            assertThat(s.endpoints()).allSatisfy(row ->
                    assertThat(row.endpoint().length()).isLessThanOrEqualTo(EndpointNames.MAX_LENGTH));
            assertThat(s.endpoints().stream().mapToLong(EndpointSnapshot::requests).sum()).isEqualTo(exchanges);
            assertThat(s.endpoints().stream().mapToLong(EndpointSnapshot::bytesSent).sum()).isEqualTo(exchanges);
            // The long mounts share one row (their names cut to a row's length are the same), the first seven
            // short ones have a row each, the rest overflow.
            assertThat(s.endpoints()).filteredOn(row -> row.endpoint().startsWith("/mm"))
                    .singleElement().satisfies(row -> assertThat(row.requests()).isEqualTo(exchanges / 3));
            assertThat(s.endpoint("/m1/jobs/{id}").requests()).isEqualTo(1);
            assertThat(s.endpoint("/m10/jobs/{id}").requests()).isEqualTo(1);
            assertThat(s.endpoint("(overflow)").requests()).isEqualTo(exchanges - exchanges / 3 - 7);
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
