package io.github.httpbandwidth;

import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

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
}
