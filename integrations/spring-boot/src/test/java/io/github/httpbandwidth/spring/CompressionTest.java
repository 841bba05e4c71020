package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthSnapshot;
import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.testapp.TestApplication;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With Boot's own response compression on ({@code server.compression.enabled}), the outbound bytes are the compressed
 * ones that cross the connection, as for compression done inside the handler; a client that does not ask for
 * compression gets, and is counted for, the plain body.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "server.compression.enabled=true",
                "server.compression.min-response-size=1", "bandwidth.name=compressed", "bandwidth.row-hold=0s"})
class CompressionTest {

    @LocalServerPort
    int port;
    @Autowired
    BandwidthStats stats;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void bootsCompressionIsCountedAsItCrossesTheConnection() throws Exception {
        long sent = 0;
        for (int i = 0; i < 3; i++) {
            HttpResponse<byte[]> gzipped = client.send(HttpRequest.newBuilder(uri("/jobs/" + i))
                    .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(gzipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
            assertThat(new GZIPInputStream(new ByteArrayInputStream(gzipped.body())).readAllBytes()).hasSize(1000);
            assertThat(gzipped.body().length).isLessThan(100);
            sent += gzipped.body().length;
        }
        HttpResponse<byte[]> plain = client.send(HttpRequest.newBuilder(uri("/jobs/9")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(plain.body()).hasSize(1000);
        sent += 1000;

        BandwidthSnapshot s = Await.completed(stats, 4);
        assertThat(s.bytesSent()).isEqualTo(sent);
        assertThat(s.endpoint("/jobs/{id}").bytesSent()).isEqualTo(sent);
        assertThat(s.responseSizes().sumBytes()).isEqualTo(sent);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
