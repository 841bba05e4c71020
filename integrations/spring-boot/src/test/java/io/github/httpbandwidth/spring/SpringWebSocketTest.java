package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthSnapshot;
import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.EndpointSnapshot;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.handler.TextWebSocketHandler;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring's WebSocket support on Undertow's servlet container (spring-boot-starter-websocket): the connection counted
 * as open while it is, on the handshake's Spring MVC pattern, with every frame byte after the 101 as it passes.
 */
@SpringBootTest(classes = {TestApplication.class, SpringWebSocketTest.Echo.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "bandwidth.name=spring-websocket", "bandwidth.row-hold=0s"})
class SpringWebSocketTest {

    @LocalServerPort
    int port;
    @Autowired
    BandwidthStats stats;

    @Configuration
    @EnableWebSocket
    static class Echo implements WebSocketConfigurer {
        @Override
        public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
            registry.addHandler(new TextWebSocketHandler() {
                @Override
                protected void handleTextMessage(WebSocketSession session, TextMessage message) throws Exception {
                    session.sendMessage(new TextMessage(message.getPayload()));
                }
            }, "/ws/echo");
        }
    }

    @Test
    void framesCountOnTheHandshakesPatternAsTheyPass() throws Exception {
        CountDownLatch echoed = new CountDownLatch(10);
        AtomicLong echoedChars = new AtomicLong();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws/echo"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        echoedChars.addAndGet(data.length());
                        if (last) {
                            echoed.countDown();
                        }
                        webSocket.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 10; i++) {
            socket.sendText("w".repeat(1000), true).get(10, TimeUnit.SECONDS);
        }
        assertThat(echoed.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(echoedChars).hasValue(10_000);
        // Client frames: 1,000 B of payload, 2 B of header, 2 B of extended length, a 4 B mask; the server's: no mask.
        BandwidthSnapshot open = until(s -> s.bytesSent() >= 10 * 1_004);
        assertThat(open.upgradedConnectionsOpen()).isEqualTo(1);
        assertThat(open.endpoint("/ws/echo").bytesReceived()).isEqualTo(10 * 1_008);
        assertThat(open.endpoint("/ws/echo").bytesSent()).isEqualTo(10 * 1_004);

        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
        BandwidthSnapshot closed = until(s -> s.upgradedConnectionsOpen() == 0);
        EndpointSnapshot row = closed.endpoint("/ws/echo");
        // The client's close frame: 2 B of header, a 4 B mask, 2 B of status and "bye"; the server's answer echoes the
        // status and the reason, unmasked.
        assertThat(row.bytesReceived()).isEqualTo(10 * 1_008 + 11);
        assertThat(row.bytesSent()).isEqualTo(10 * 1_004 + 7);
        assertThat(row.requests()).isEqualTo(1);
        assertThat(closed.bytesReceived()).isEqualTo(row.bytesReceived());
        assertThat(closed.bytesSent()).isEqualTo(row.bytesSent());
    }

    private BandwidthSnapshot until(Predicate<BandwidthSnapshot> condition) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        BandwidthSnapshot s = stats.snapshot();
        while (!condition.test(s) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(5_000_000);
            s = stats.snapshot();
        }
        assertThat(condition).as("condition within 20 s").accepts(s);
        return s;
    }
}
