package io.github.httpbandwidth;

import io.undertow.Handlers;
import io.undertow.server.HttpHandler;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedBinaryMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import io.undertow.websockets.spi.WebSocketHttpExchange;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An upgraded connection's bytes: WebSocket frames, counted whole as they pass, on the handshake's endpoint row;
 * and how many upgraded connections are open. Undertow's WebSocket server, the JDK's WebSocket client.
 */
class WebSocketTest {

    private static final int MESSAGES = 100;
    private static final int SIZE = 1000;
    /** RFC 6455: 2 header bytes, 2 bytes of extended length (126 to 65535 bytes), 4 mask bytes from clients. */
    private static final int CLIENT_FRAME = SIZE + 2 + 2 + 4;
    private static final int SERVER_FRAME = SIZE + 2 + 2;

    @Test
    void framesBothWaysAreCountedExactlyOnTheHandshakesRow() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("websocket-test").build();
        HttpHandler echo = Handlers.websocket((WebSocketHttpExchange exchange, WebSocketChannel channel) -> echo(channel));
        HttpHandler routes = Handlers.routing().get("/ws/{channel}", echo);
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, routes))) {
            CountDownLatch echoed = new CountDownLatch(MESSAGES);
            AtomicLong echoedBytes = new AtomicLong();
            WebSocket.Listener listener = new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
                    echoedBytes.addAndGet(data.remaining());
                    if (last) {
                        echoed.countDown();
                    }
                    ws.request(1);
                    return null;
                }
            };
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws/jobs"), listener)
                    .get(20, TimeUnit.SECONDS);
            BandwidthSnapshot handshaken = Await.completed(stats, 1);
            assertThat(handshaken.upgradedConnectionsOpen()).isEqualTo(1);
            assertThat(handshaken.bytesReceived()).isZero();

            for (int i = 0; i < MESSAGES; i++) {
                ws.sendBinary(ByteBuffer.wrap(BodyCountingTest.filled(SIZE)), true).get(20, TimeUnit.SECONDS);
            }
            assertThat(echoed.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(echoedBytes.get()).isEqualTo((long) MESSAGES * SIZE);

            // On the row too: a frame counts in the totals just before its row.
            Await.until("every frame to be counted", () -> {
                BandwidthSnapshot s = stats.snapshot();
                return s.endpoint("/ws/{channel}") != null
                        && s.endpoint("/ws/{channel}").bytesSent() == (long) MESSAGES * SERVER_FRAME;
            }, () -> stats.snapshot().toString());
            BandwidthSnapshot open = stats.snapshot();
            assertThat(open.bytesReceived()).isEqualTo((long) MESSAGES * CLIENT_FRAME);
            assertThat(open.bytesSent()).isEqualTo((long) MESSAGES * SERVER_FRAME);
            assertThat(open.endpoint("/ws/{channel}").bytesReceived()).isEqualTo((long) MESSAGES * CLIENT_FRAME);
            assertThat(open.endpoint("/ws/{channel}").bytesSent()).isEqualTo((long) MESSAGES * SERVER_FRAME);
            assertThat(open.endpoint("/ws/{channel}").requests()).isEqualTo(1);
            assertThat(open.requests()).isEqualTo(1);
            assertThat(open.requestSizes().sumBytes()).isZero();

            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(20, TimeUnit.SECONDS);
            Await.until("the upgraded connection to close", () -> stats.snapshot().upgradedConnectionsOpen() == 0);
            // The close frames: the client's (2 + 4 mask + 2 status), the server's answer (2 + 2 status).
            BandwidthSnapshot closed = stats.snapshot();
            assertThat(closed.bytesReceived()).isEqualTo((long) MESSAGES * CLIENT_FRAME + 8);
            assertThat(closed.bytesSent()).isEqualTo((long) MESSAGES * SERVER_FRAME + 4);
        }
    }

    /**
     * A handshake that completes on a worker thread, as every servlet one does (Jakarta WebSocket endpoints on
     * WildFly, in Spring Boot): the hand-over to the WebSocket code (which first puts the connection's own conduits
     * back) then runs on that thread, while the IO thread is free. A completion listener outside this handler holds
     * the worker until the IO thread has run everything queued so far, which is the order that lost every frame of
     * such a connection when the counting conduits were put in place by a task on the IO thread: they were put back.
     */
    @Test
    void framesAreCountedWhenTheHandshakeCompletesOnAWorkerThread() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("websocket-worker").build();
        HttpHandler echo = Handlers.websocket((WebSocketHttpExchange exchange, WebSocketChannel channel) -> echo(channel));
        HttpHandler onWorker = onWorkerThread(echo);
        HttpHandler counted = new BandwidthHandler(stats, onWorker);
        HttpHandler slowHandOver = exchange -> {
            exchange.addExchangeCompleteListener((ex, next) -> {
                if (ex.isUpgrade() && !ex.isInIoThread()) {
                    CountDownLatch ioThreadCaughtUp = new CountDownLatch(1);
                    ex.getConnection().getIoThread().execute(ioThreadCaughtUp::countDown);
                    try {
                        ioThreadCaughtUp.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                next.proceed();
            });
            counted.handleRequest(exchange);
        };
        try (TestServer server = TestServer.start(slowHandOver)) {
            echoMessagesAndClose(server.port());
            Await.until("the upgraded connection to close", () -> stats.snapshot().upgradedConnectionsOpen() == 0);

            BandwidthSnapshot closed = stats.snapshot();
            assertThat(closed.requests()).isEqualTo(1);
            assertThat(closed.bytesReceived()).isEqualTo((long) MESSAGES * CLIENT_FRAME + 8);
            assertThat(closed.bytesSent()).isEqualTo((long) MESSAGES * SERVER_FRAME + 4);
        } finally {
            stats.close();
        }
    }

    /** Two handlers of different stats around one handshake (a server-wide one and an application's): both count. */
    @Test
    void nestedHandlersOfDifferentStatsBothCountTheFrames() throws Exception {
        BandwidthStats outer = BandwidthStats.builder().name("websocket-outer").build();
        BandwidthStats inner = BandwidthStats.builder().name("websocket-inner").build();
        HttpHandler echo = Handlers.websocket((WebSocketHttpExchange exchange, WebSocketChannel channel) -> echo(channel));
        HttpHandler onWorker = onWorkerThread(echo);
        try (TestServer server = TestServer.start(new BandwidthHandler(outer, new BandwidthHandler(inner, onWorker)))) {
            echoMessagesAndClose(server.port());
            for (BandwidthStats stats : List.of(outer, inner)) {
                Await.until("the upgraded connection to close", () -> stats.snapshot().upgradedConnectionsOpen() == 0);
                BandwidthSnapshot closed = stats.snapshot();
                assertThat(closed.requests()).as(stats.name()).isEqualTo(1);
                assertThat(closed.bytesReceived()).as(stats.name()).isEqualTo((long) MESSAGES * CLIENT_FRAME + 8);
                assertThat(closed.bytesSent()).as(stats.name()).isEqualTo((long) MESSAGES * SERVER_FRAME + 4);
            }
        } finally {
            outer.close();
            inner.close();
        }
    }

    /**
     * A greeting written while the upgrade listener sets the connection up: counted, since the counting conduits
     * go on at the hand-over, before the listener runs (they went on after it, and the greeting was not counted).
     */
    @Test
    void aGreetingSentFromOnConnectIsCounted() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("websocket-greeting").build();
        HttpHandler greet = Handlers.websocket((exchange, channel) -> {
            WebSockets.sendText("hello", channel, null);
            echo(channel);
        });
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, greet))) {
            CountDownLatch greeted = new CountDownLatch(1);
            CountDownLatch echoed = new CountDownLatch(1);
            WebSocket.Listener listener = new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                    greeted.countDown();
                    ws.request(1);
                    return null;
                }

                @Override
                public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
                    echoed.countDown();
                    ws.request(1);
                    return null;
                }
            };
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/"), listener)
                    .get(20, TimeUnit.SECONDS);
            assertThat(greeted.await(20, TimeUnit.SECONDS)).isTrue();
            ws.sendBinary(ByteBuffer.wrap(BodyCountingTest.filled(SIZE)), true).get(20, TimeUnit.SECONDS);
            assertThat(echoed.await(20, TimeUnit.SECONDS)).isTrue();

            Await.until("the echo to be counted", () -> stats.snapshot().bytesSent() >= SERVER_FRAME + 7);
            // The 7-byte greeting frame (2 + "hello"), then the echo.
            assertThat(stats.snapshot().bytesSent()).isEqualTo(SERVER_FRAME + 7);
            assertThat(stats.snapshot().bytesReceived()).isEqualTo(CLIENT_FRAME);
            ws.abort();
        } finally {
            stats.close();
        }
    }

    /** Runs {@code handler} on a worker thread, as a servlet deployment runs a handshake. */
    private static HttpHandler onWorkerThread(HttpHandler handler) {
        return exchange -> exchange.dispatch(() -> {
            try {
                handler.handleRequest(exchange);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Opens {@code /ws}, sends {@link #MESSAGES} binary messages of {@link #SIZE} bytes, waits for every echo, closes. */
    private static void echoMessagesAndClose(int port) throws Exception {
        CountDownLatch echoed = new CountDownLatch(MESSAGES);
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
                        if (last) {
                            echoed.countDown();
                        }
                        socket.request(1);
                        return null;
                    }
                }).get(20, TimeUnit.SECONDS);
        for (int i = 0; i < MESSAGES; i++) {
            ws.sendBinary(ByteBuffer.wrap(BodyCountingTest.filled(SIZE)), true).get(20, TimeUnit.SECONDS);
        }
        assertThat(echoed.await(20, TimeUnit.SECONDS)).isTrue();
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(20, TimeUnit.SECONDS);
    }

    /** Sends every binary message back as it came. */
    private static void echo(WebSocketChannel channel) {
        channel.getReceiveSetter().set(new AbstractReceiveListener() {
            @Override
            protected void onFullBinaryMessage(WebSocketChannel ch, BufferedBinaryMessage message) {
                try (var data = message.getData()) {
                    WebSockets.sendBinary(copy(data.getResource()), ch, null);
                }
            }
        });
        channel.resumeReceives();
    }

    private static ByteBuffer copy(ByteBuffer[] buffers) {
        ByteBuffer out = ByteBuffer.allocate((int) Buffers.remaining(buffers, 0, buffers.length));
        for (ByteBuffer b : buffers) {
            out.put(b);
        }
        return out.flip();
    }
}
