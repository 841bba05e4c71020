package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthSnapshot;
import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.testapp.TestApplication;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Boot's own HTTP/2 switch ({@code server.http2.enabled}) on a plain connection: h2c by upgrade (the JDK client,
 * whose first POST on a new connection carries the upgrade and its body; then two streams on one connection) and
 * by prior knowledge (curl). Each body counts once, on its route and client, as the client sent and received it.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "server.http2.enabled=true", "bandwidth.name=h2c",
                "bandwidth.row-hold=0s"})
class Http2Test {

    @LocalServerPort
    int port;
    @Autowired
    BandwidthStats stats;

    @Test
    void h2cByUpgradeAndByPriorKnowledgeCountsEveryBodyOnceOnItsRoute() throws Exception {
        long received = 0;
        long sent = 0;
        // The JDK client: a new client per request, so each request is the one that carries the upgrade.
        for (int size : new int[] {5_000, 1, 70_001}) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
            HttpResponse<String> upload = client.send(HttpRequest.newBuilder(uri("/artifacts/a" + size))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[size])).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(upload.body()).isEqualTo("n=" + size);
            received += size;
            sent += upload.body().length();
        }
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        for (int i = 0; i < 2; i++) {
            HttpResponse<byte[]> job = client.send(HttpRequest.newBuilder(uri("/jobs/" + i)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(job.version()).isEqualTo(HttpClient.Version.HTTP_2);
            sent += job.body().length;
        }
        // curl, prior knowledge, one connection each: curl 7.88.1 cannot reuse such a connection (it ends with "Error
        // in the HTTP2 framing layer" before it sends the second request, against bare Undertow too).
        Path body = Files.createTempFile("h2c-body", ".bin");
        try {
            Files.write(body, new byte[300_000]);
            for (int i = 7; i <= 9; i++) {
                assertThat(Curl.run("--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_version} %{size_download}",
                        uri("/jobs/" + i).toString())).isEqualTo("2 1000");
            }
            assertThat(Curl.run("--http2-prior-knowledge", "--data-binary", "@" + body,
                    "-H", "Content-Type: application/octet-stream", uri("/artifacts/big").toString()))
                    .isEqualTo("n=300000");
        } finally {
            Files.delete(body);
        }
        received += 300_000;
        sent += 3 * 1000 + "n=300000".length();

        BandwidthSnapshot s = Await.completed(stats, 9);
        assertThat(s.bytesReceived()).isEqualTo(received);
        assertThat(s.bytesSent()).isEqualTo(sent);
        assertThat(s.endpoint("/artifacts/{name}").requests()).isEqualTo(4);
        assertThat(s.endpoint("/artifacts/{name}").bytesReceived()).isEqualTo(received);
        assertThat(s.endpoint("/artifacts/{name}").bytesSent()).isEqualTo("n=5000n=1n=70001n=300000".length());
        assertThat(s.endpoint("/jobs/{id}").requests()).isEqualTo(5);
        assertThat(s.endpoint("/jobs/{id}").bytesSent()).isEqualTo(5 * 1000);
        assertThat(s.requestSizes().sumBytes()).isEqualTo(received);
        assertThat(s.responseSizes().sumBytes()).isEqualTo(sent);
        assertThat(s.client("127.0.0.1").requests()).isEqualTo(9);
        assertThat(s.client("127.0.0.1").bytesReceived()).isEqualTo(received);
        assertThat(s.client("127.0.0.1").bytesSent()).isEqualTo(sent);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
