package io.github.httpbandwidth;

import io.undertow.Handlers;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** HTTP/2 (h2c: upgrade from HTTP/1.1, which the JDK client and Undertow both speak) counts the same bodies. */
class Http2Test {

    @Test
    void http2BodiesAreCountedExactly() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("http2-test").build();
        try (TestServer server = TestServer.startHttp2(new BandwidthHandler(stats, TestRoutes.basic()))) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
            HttpResponse<byte[]> upgrade = client.send(HttpRequest.newBuilder(server.uri("/small")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            HttpResponse<byte[]> upload = client.send(HttpRequest.newBuilder(server.uri("/upload"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[5000])).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            HttpResponse<byte[]> stream = client.send(HttpRequest.newBuilder(server.uri("/stream/5")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());

            assertThat(upload.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(stream.version()).isEqualTo(HttpClient.Version.HTTP_2);
            BandwidthSnapshot s = Await.completed(stats, 3);
            assertThat(upgrade.body()).hasSize(TestRoutes.SMALL_SIZE);
            assertThat(upload.body()).isEqualTo("n=5000".getBytes());
            assertThat(s.bytesReceived()).isEqualTo(5000);
            assertThat(s.bytesSent()).isEqualTo(TestRoutes.SMALL_SIZE + "n=5000".length() + 5L * TestRoutes.CHUNK_SIZE);
            assertThat(s.requests()).isEqualTo(3);
        }
    }

    /**
     * A POST whose body comes with the upgrade (the JDK client's default on a new connection to http://): Undertow
     * reads that body before any handler runs and hands it to stream 1 as bytes already read, which no conduit
     * wrapper sees; it must still count, once, also when the application never reads it.
     */
    @Test
    void aBodySentWithTheUpgradeIsCounted() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("http2-upgrade-body").build();
        try (TestServer server = TestServer.startHttp2(new BandwidthHandler(stats, TestRoutes.basic()))) {
            long expected = 0;
            int requests = 0;
            for (int size : new int[] {3, 5000, 777}) {
                // A new client each time: a new connection, so each POST is the one that carries the upgrade.
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
                HttpResponse<byte[]> upload = client.send(HttpRequest.newBuilder(server.uri("/upload"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[size])).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(upload.version()).isEqualTo(HttpClient.Version.HTTP_2);
                assertThat(upload.body()).isEqualTo(("n=" + size).getBytes());
                // The upgrade's body not read by the application (a 404 route): received all the same.
                HttpClient other = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
                HttpResponse<Void> unread = other.send(HttpRequest.newBuilder(server.uri("/nowhere"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[size + 1])).build(),
                        HttpResponse.BodyHandlers.discarding());
                assertThat(unread.version()).isEqualTo(HttpClient.Version.HTTP_2);
                assertThat(unread.statusCode()).isEqualTo(404);
                expected += size + size + 1;
                requests += 2;
            }
            BandwidthSnapshot s = Await.completed(stats, requests);
            assertThat(s.requests()).isEqualTo(requests);
            assertThat(s.bytesReceived()).isEqualTo(expected);
            assertThat(s.requestSizes().sumBytes()).isEqualTo(expected);
        }
    }

    @Test
    void anUpgradeWhoseChunkedBodyIsTooLargeToBufferStaysOnHttp11AndIsCounted() throws Exception {
        // With a body of unknown length Undertow buffers up to 16 KiB (MAX_BUFFERED_REQUEST_SIZE) to upgrade; past
        // that it gives up, hands back what it read as bytes already read, resets the request channel and runs the
        // handlers on HTTP/1.1. Adding a conduit wrapper after a reset throws: these requests failed with 500.
        BandwidthStats stats = BandwidthStats.builder().name("http2-upgrade-chunked").build();
        try (TestServer server = TestServer.startHttp2(new BandwidthHandler(stats, TestRoutes.basic()))) {
            long expected = 0;
            int requests = 0;
            for (int size : new int[] {16_385, 100_003, 40_000}) {
                byte[] body = new byte[size];
                // A new client each time: a new connection, whose first request carries the upgrade.
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
                HttpResponse<byte[]> upload = client.send(HttpRequest.newBuilder(server.uri("/upload"))
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(upload.statusCode()).isEqualTo(200);
                assertThat(upload.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
                assertThat(upload.body()).isEqualTo(("n=" + size).getBytes());
                HttpClient other = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
                HttpResponse<Void> unread = other.send(HttpRequest.newBuilder(server.uri("/nowhere"))
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build(),
                        HttpResponse.BodyHandlers.discarding());
                assertThat(unread.statusCode()).isEqualTo(404);
                expected += 2L * size;
                requests += 2;
            }
            BandwidthSnapshot s = Await.completed(stats, requests);
            assertThat(s.requests()).isEqualTo(requests);
            assertThat(s.bytesReceived()).isEqualTo(expected);
            assertThat(s.requestSizes().sumBytes()).isEqualTo(expected);
        }
    }

    /**
     * Server push: each pushed resource is an exchange of its own that Undertow runs through the root handler, so it
     * is counted as a request on its own route, with the body the client received on the pushed stream.
     */
    @Test
    void pushedResponsesCountAsExchangesOnTheirRoutes() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("http2-push-test").build();
        var routes = Handlers.routing()
                .get("/page", exchange -> {
                    HeaderMap headers = new HeaderMap();
                    headers.put(Headers.HOST, "127.0.0.1");
                    for (int n = 1; n <= 3; n++) {
                        assertThat(exchange.getConnection().pushResource("/asset/" + n, Methods.GET, headers)).isTrue();
                    }
                    exchange.getResponseSender().send("p".repeat(1000));
                })
                .get("/asset/{n}", exchange -> exchange.getResponseSender().send("a".repeat(
                        5000 * Integer.parseInt(exchange.getQueryParameters().get("n").getFirst()))));
        try (stats; TestServer server = TestServer.startHttp2(new BandwidthHandler(stats, routes))) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
            List<CompletableFuture<HttpResponse<byte[]>>> pushed = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 2; i++) {
                HttpResponse<byte[]> page = client.sendAsync(HttpRequest.newBuilder(server.uri("/page")).build(),
                        HttpResponse.BodyHandlers.ofByteArray(), (initiating, promise, accept) ->
                                pushed.add(accept.apply(HttpResponse.BodyHandlers.ofByteArray()))).get(20, TimeUnit.SECONDS);
                assertThat(page.version()).isEqualTo(HttpClient.Version.HTTP_2);
                assertThat(page.body()).hasSize(1000);
            }
            long assets = 0;
            assertThat(pushed).hasSize(6);
            for (CompletableFuture<HttpResponse<byte[]>> push : pushed) {
                assets += push.get(20, TimeUnit.SECONDS).body().length;
            }

            assertThat(assets).isEqualTo(2 * (5000 + 10_000 + 15_000));
            BandwidthSnapshot s = Await.completed(stats, 8);
            assertThat(s.requests()).isEqualTo(8);
            assertThat(s.bytesReceived()).isZero();
            assertThat(s.bytesSent()).isEqualTo(2 * 1000 + assets);
            assertThat(s.endpoint("/asset/{n}").requests()).isEqualTo(6);
            assertThat(s.endpoint("/asset/{n}").bytesSent()).isEqualTo(assets);
            assertThat(s.endpoint("/page").bytesSent()).isEqualTo(2000);
        }
    }
}
