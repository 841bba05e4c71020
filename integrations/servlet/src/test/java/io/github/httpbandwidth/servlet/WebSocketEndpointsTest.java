package io.github.httpbandwidth.servlet;

import io.github.httpbandwidth.BandwidthHandler;
import io.github.httpbandwidth.BandwidthSnapshot;
import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.EndpointSnapshot;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.api.ServletInfo;
import io.undertow.websockets.jsr.WebSocketDeploymentInfo;
import jakarta.websocket.OnMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jakarta WebSocket ({@code @ServerEndpoint}) endpoints in a servlet deployment, wrapped as WildFly and Spring Boot
 * wrap a deployment: a handshake is named by its endpoint's path template, not by the default servlet's mapping
 * that every static file and 404 of the deployment shares; its frames land on that row. Its javax twin
 * ({@code JavaxWebSocketEndpointsTest}, made at build time: see the pom) runs the same on Undertow 2.2 with
 * {@code -Pjavax}.
 */
class WebSocketEndpointsTest {

    private final BandwidthStats stats = BandwidthStats.builder().name("websocket-endpoints-test")
            .classifier(new ServletEndpoints()).build();
    private Undertow server;
    private DeploymentManager manager;
    private int port;

    /** Echoes every binary message. */
    @ServerEndpoint("/rooms/{room}")
    public static final class Room {
        @OnMessage
        public void echo(ByteBuffer message, Session session) throws IOException {
            session.getBasicRemote().sendBinary(message);
        }
    }

    /** A fixed path, with nothing to match. */
    @ServerEndpoint("/feed")
    public static final class Feed {
        @OnMessage
        public void echo(ByteBuffer message, Session session) throws IOException {
            session.getBasicRemote().sendBinary(message);
        }
    }

    @BeforeEach
    void start() throws Exception {
        DeploymentInfo info = Servlets.deployment()
                .setClassLoader(WebSocketEndpointsTest.class.getClassLoader())
                .setContextPath("/app")
                .setDeploymentName("websockets.war")
                .addServlets(hello().addMapping("/hello"))
                .addServletContextAttribute(WebSocketDeploymentInfo.ATTRIBUTE_NAME,
                        new WebSocketDeploymentInfo().addEndpoint(Room.class).addEndpoint(Feed.class))
                // Where WildFly and the Spring Boot starter put the monitor: around the deployment's handlers.
                .addOuterHandlerChainWrapper(next -> new BandwidthHandler(stats, next));
        manager = Servlets.newContainer().addDeployment(info);
        manager.deploy();
        server = Undertow.builder().addHttpListener(0, "127.0.0.1")
                .setHandler(Handlers.path().addPrefixPath("/app", manager.start())).build();
        server.start();
        port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    /** Through the erased signature: this class's javax twin (see the pom) is compiled against a jakarta Undertow. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ServletInfo hello() {
        return Servlets.servlet("hello", (Class) ServletEndpointsTest.Echo.class);
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
        manager.stop();
        manager.undeploy();
        stats.close();
    }

    @Test
    void aHandshakeIsNamedByItsEndpointsTemplateAndItsFramesLandThere() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        echo(client, "/app/rooms/a", 1_000);
        echo(client, "/app/rooms/b%20c", 70_000);
        echo(client, "/app/feed", 10);
        // The deployment's other paths keep their mappings; a path like a room's that is no handshake too.
        assertThat(client.send(HttpRequest.newBuilder(uri("http", "/app/hello")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThat(client.send(HttpRequest.newBuilder(uri("http", "/app/rooms/a")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);

        Map<String, Long> rows = requestsByEndpoint(5);
        assertThat(rows).containsExactlyInAnyOrderEntriesOf(Map.of(
                "/app/rooms/{room}", 2L, "/app/feed", 1L, "/app/hello", 1L, "/app/*", 1L));
        // Each echo: the client's masked frame (2 + 2 or 8 length bytes + 4 mask + payload) and the server's
        // unmasked answer, then the close frames (the client's 2 + 4 + 2, the server's 2 + 2).
        long inbound = (2 + 2 + 4 + 1_000) + (2 + 8 + 4 + 70_000) + 2L * 8;
        long outbound = (2 + 2 + 1_000) + (2 + 8 + 70_000) + 2L * 4;
        awaitFrames("/app/rooms/{room}", inbound, outbound);
        awaitFrames("/app/feed", 2 + 4 + 10 + 8, 2 + 10 + 4);
    }

    private void echo(HttpClient client, String path, int size) throws Exception {
        CountDownLatch echoed = new CountDownLatch(1);
        WebSocket ws = client.newWebSocketBuilder().buildAsync(uri("ws", path), new WebSocket.Listener() {
            private long received;

            @Override
            public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
                received += data.remaining();
                if (last && received == size) {
                    echoed.countDown();
                }
                socket.request(1);
                return null;
            }
        }).get(20, TimeUnit.SECONDS);
        ws.sendBinary(ByteBuffer.allocate(size), true).get(20, TimeUnit.SECONDS);
        assertThat(echoed.await(20, TimeUnit.SECONDS)).as("the echo of " + path).isTrue();
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(20, TimeUnit.SECONDS);
    }

    private URI uri(String scheme, String path) {
        return URI.create(scheme + "://127.0.0.1:" + port + path);
    }

    private Map<String, Long> requestsByEndpoint(long requests) {
        return Rows.requestsByEndpoint(stats, requests);
    }

    /** Waits until the upgraded connections have closed and the row shows the frames both ways. */
    private void awaitFrames(String endpoint, long inbound, long outbound) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            BandwidthSnapshot snapshot = stats.snapshot();
            EndpointSnapshot row = snapshot.endpoint(endpoint);
            if (snapshot.upgradedConnectionsOpen() == 0 && row != null
                    && row.bytesReceived() == inbound && row.bytesSent() == outbound) {
                return;
            }
            assertThat(System.nanoTime() - deadline).as("waiting for " + endpoint + " to show " + inbound + " / "
                    + outbound + " B, have " + (row == null ? "no row" : row.bytesReceived() + " / "
                    + row.bytesSent()) + ", open " + snapshot.upgradedConnectionsOpen()).isNegative();
            LockSupport.parkNanos(1_000_000);
        }
    }
}
