package io.github.httpbandwidth;

import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.RequestBufferingHandler;
import io.undertow.util.AttachmentKey;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A handler outside ours that reads the request body first and hands it back: Undertow's
 * {@code RequestBufferingHandler} (also WildFly's {@code request-buffering} handler) reads up to its buffers, gives
 * what it read back as bytes already read and resets the request channel. Undertow then refuses new conduit
 * wrappers, so the bytes already read are counted at the handler's start, and the rest of a body larger than the
 * buffers as it is read.
 */
class RequestBufferingTest {

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void bodiesBufferedByAHandlerOutsideAreCountedWholeAndNoRequestFails() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("buffered-outside").build();
        // Two buffers: 13 B fits, 100,003 B does not (the rest stays in the channel for the application).
        try (TestServer server = TestServer.start(
                new RequestBufferingHandler(new BandwidthHandler(stats, TestRoutes.basic()), 2))) {
            long expected = 0;
            int requests = 0;
            for (int size : new int[] {13, 100_003, 0, 65_537}) {
                byte[] body = new byte[size];
                HttpResponse<byte[]> fixed = client.send(HttpRequest.newBuilder(server.uri("/upload"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(fixed.statusCode()).isEqualTo(200);
                assertThat(fixed.body()).isEqualTo(("n=" + size).getBytes());
                HttpResponse<byte[]> chunked = client.send(HttpRequest.newBuilder(server.uri("/upload"))
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(chunked.statusCode()).isEqualTo(200);
                assertThat(chunked.body()).isEqualTo(("n=" + size).getBytes());
                // Never read by the application (a 404): what was buffered and what Undertow drains, all received.
                HttpResponse<Void> unread = client.send(HttpRequest.newBuilder(server.uri("/nowhere"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                        HttpResponse.BodyHandlers.discarding());
                assertThat(unread.statusCode()).isEqualTo(404);
                expected += 3L * size;
                requests += 3;
            }
            BandwidthSnapshot s = Await.completed(stats, requests);
            assertThat(s.requests()).isEqualTo(requests);
            assertThat(s.bytesReceived()).isEqualTo(expected);
            assertThat(s.requestSizes().sumBytes()).isEqualTo(expected);
            assertThat(s.endpoint("/upload").bytesReceived()).isEqualTo(2 * (13 + 100_003 + 65_537));
        }
    }

    @Test
    void anExchangeRunThroughTheChainAgainAfterItsBodyWasBufferedIsCountedOnce() throws Exception {
        // Ours, a buffering handler inside it, and a handler that runs the chain again once (as a restart does): the
        // second pass finds the channel reset, the body handed back, and its own first pass's conduit below.
        BandwidthStats stats = BandwidthStats.builder().name("buffered-again").build();
        AttachmentKey<Boolean> again = AttachmentKey.create(Boolean.class);
        HttpHandler routes = TestRoutes.basic();
        HttpHandler[] root = new HttpHandler[1];
        root[0] = new BandwidthHandler(stats, new RequestBufferingHandler(exchange -> {
            if (exchange.getAttachment(again) == null) {
                exchange.putAttachment(again, Boolean.TRUE);
                root[0].handleRequest(exchange);
            } else {
                routes.handleRequest(exchange);
            }
        }, 2));
        try (TestServer http = TestServer.start(root[0])) {
            long expected = 0;
            for (int size : new int[] {13, 100_003, 65_537}) {
                HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(http.uri("/upload"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[size])).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo(("n=" + size).getBytes());
                expected += size;
            }
            BandwidthSnapshot s = Await.completed(stats, 3);
            assertThat(s.requests()).isEqualTo(3);
            assertThat(s.bytesReceived()).isEqualTo(expected);
            assertThat(s.requestSizes().sumBytes()).isEqualTo(expected);
        }
    }
}
