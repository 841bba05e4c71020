package io.github.httpbandwidth;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.proxy.LoadBalancingProxyClient;
import io.undertow.server.handlers.proxy.ProxyHandler;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An AJP listener (WildFly's {@code ajp} listener behind Apache httpd's mod_proxy_ajp, mod_jk or mod_cluster): the
 * handler counts the bodies as the AJP packets carry them, without their framing. The web server in front is
 * Undertow's own reverse proxy speaking {@code ajp://}.
 */
class AjpTest {

    static {
        // Undertow 2.2.x and later refuse an AJP listener without a shared secret unless told otherwise; the
        // proxy in front sends none. Read once, when Undertow's AJP listener class loads (no other test loads it).
        System.setProperty("io.undertow.ajp.REQUIRE_AJP_SECRET", "false");
    }

    @Test
    void bodiesOverAjpAreCountedExactlyOnTheirRowsAndClients() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("ajp-test").clientKey(ClientKey.header("X-Client")).build();
        Undertow backend = Undertow.builder().addAjpListener(0, "127.0.0.1")
                .setHandler(new BandwidthHandler(stats, TestRoutes.basic())).build();
        backend.start();
        try {
            int ajpPort = ((InetSocketAddress) backend.getListenerInfo().get(0).getAddress()).getPort();
            HttpHandler proxy = ProxyHandler.builder().setProxyClient(new LoadBalancingProxyClient()
                    .addHost(URI.create("ajp://127.0.0.1:" + ajpPort))).setMaxRequestTime(30_000).build();
            try (TestServer front = TestServer.startAllowing(proxy, 1L << 30)) {
                HttpClient client = HttpClient.newHttpClient();
                // Larger than one AJP packet (8 KiB) and than a buffer, fixed-length and chunked from the client.
                byte[] upload = BodyCountingTest.filled(200_001);
                HttpResponse<String> fixed = client.send(HttpRequest.newBuilder(front.uri("/upload"))
                        .header("X-Client", "w1").POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build(),
                        HttpResponse.BodyHandlers.ofString());
                HttpResponse<String> chunked = client.send(HttpRequest.newBuilder(front.uri("/upload"))
                        .header("X-Client", "w2").POST(HttpRequest.BodyPublishers.ofInputStream(
                                () -> new ByteArrayInputStream(upload, 0, 70_003))).build(),
                        HttpResponse.BodyHandlers.ofString());
                HttpResponse<byte[]> small = client.send(HttpRequest.newBuilder(front.uri("/small"))
                        .header("X-Client", "w1").build(), HttpResponse.BodyHandlers.ofByteArray());
                HttpResponse<byte[]> stream = client.send(HttpRequest.newBuilder(front.uri("/stream/5"))
                        .header("X-Client", "w2").build(), HttpResponse.BodyHandlers.ofByteArray());
                HttpResponse<byte[]> single = client.send(HttpRequest.newBuilder(front.uri("/single/1"))
                        .header("X-Client", "w1").build(), HttpResponse.BodyHandlers.ofByteArray());
                HttpResponse<byte[]> missing = client.send(HttpRequest.newBuilder(front.uri("/nowhere"))
                        .header("X-Client", "w2").build(), HttpResponse.BodyHandlers.ofByteArray());

                assertThat(fixed.body()).isEqualTo("n=200001");
                assertThat(chunked.body()).isEqualTo("n=70003");
                assertThat(small.body()).hasSize(TestRoutes.SMALL_SIZE);
                assertThat(stream.body()).hasSize(5 * TestRoutes.CHUNK_SIZE);
                assertThat(single.body()).hasSize(1 << 20);
                assertThat(missing.statusCode()).isEqualTo(404);
                long missingBody = missing.body().length;

                BandwidthSnapshot s = Await.completed(stats, 6);
                assertThat(s.requests()).isEqualTo(6);
                assertThat(s.bytesReceived()).isEqualTo(200_001 + 70_003);
                assertThat(s.bytesSent()).isEqualTo(8 + 7 + TestRoutes.SMALL_SIZE + 5L * TestRoutes.CHUNK_SIZE
                        + (1 << 20) + missingBody);
                assertThat(s.endpoint("/upload").requests()).isEqualTo(2);
                assertThat(s.endpoint("/upload").bytesReceived()).isEqualTo(270_004);
                assertThat(s.endpoint("/upload").bytesSent()).isEqualTo(15);
                assertThat(s.endpoint("/stream/{chunks}").bytesSent()).isEqualTo(5L * TestRoutes.CHUNK_SIZE);
                assertThat(s.endpoint("/single/{mib}").bytesSent()).isEqualTo(1 << 20);
                assertThat(s.requestSizes().sumBytes()).isEqualTo(270_004);
                assertThat(s.client("w1").requests()).isEqualTo(3);
                assertThat(s.client("w1").bytesReceived()).isEqualTo(200_001);
                assertThat(s.client("w1").bytesSent()).isEqualTo(8 + TestRoutes.SMALL_SIZE + (1 << 20));
                assertThat(s.client("w2").requests()).isEqualTo(3);
                assertThat(s.client("w2").bytesReceived()).isEqualTo(70_003);
                assertThat(s.client("w2").bytesSent()).isEqualTo(7 + 5L * TestRoutes.CHUNK_SIZE + missingBody);
                assertThat(s.statusClasses()).anySatisfy(c -> {
                    assertThat(c.statusClass()).isEqualTo("4xx");
                    assertThat(c.requests()).isEqualTo(1);
                    assertThat(c.bytesSent()).isEqualTo(missingBody);
                });
            }
        } finally {
            backend.stop();
            stats.close();
        }
    }
}
