package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthSnapshot;
import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.EndpointSnapshot;
import io.github.httpbandwidth.testapp.TestApplication;
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

import java.net.http.WebSocket;
import java.util.concurrent.TimeUnit;

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
        WebSocket socket = Loopback.echoTen(port, "/ws/echo");
        // On the row: a frame counts in the totals just before its row, so the totals can be ahead of the row.
        BandwidthSnapshot open = Await.until(stats, s -> s.endpoint("/ws/echo") != null
                && s.endpoint("/ws/echo").bytesSent() >= 10 * 1_004);
        assertThat(open.upgradedConnectionsOpen()).isEqualTo(1);
        assertThat(open.endpoint("/ws/echo").bytesReceived()).isEqualTo(10 * 1_008);
        assertThat(open.endpoint("/ws/echo").bytesSent()).isEqualTo(10 * 1_004);

        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
        BandwidthSnapshot closed = Await.until(stats, s -> s.upgradedConnectionsOpen() == 0);
        EndpointSnapshot row = closed.endpoint("/ws/echo");
        // The client's close frame: 2 B of header, a 4 B mask, 2 B of status and "bye"; the server's answer echoes the
        // status and the reason, unmasked.
        assertThat(row.bytesReceived()).isEqualTo(10 * 1_008 + 11);
        assertThat(row.bytesSent()).isEqualTo(10 * 1_004 + 7);
        assertThat(row.requests()).isEqualTo(1);
        assertThat(closed.bytesReceived()).isEqualTo(row.bytesReceived());
        assertThat(closed.bytesSent()).isEqualTo(row.bytesSent());
    }
}
