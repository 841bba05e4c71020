package io.github.httpbandwidth;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/** Byte counters move while a body streams, not in one spike at the end of the exchange. */
class StreamingProgressTest {

    @Test
    void bytesShowBeforeTheExchangeCompletes() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        BandwidthStats stats = BandwidthStats.builder().name("progress-test").build();
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, TestRoutes.slow(gate)))) {
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(server.uri("/slow")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                assertThat(body.readNBytes(TestRoutes.CHUNK_SIZE)).hasSize(TestRoutes.CHUNK_SIZE);

                Await.until("the first chunk to show while the exchange is open",
                        () -> stats.snapshot().bytesSent() == TestRoutes.CHUNK_SIZE);
                BandwidthSnapshot during = stats.snapshot();
                assertThat(during.requests()).isZero();
                assertThat(during.requestsInFlight()).isEqualTo(1);
                // The row is certain only at completion (a router could still run), so it moves then.
                assertThat(during.endpoint("/slow")).isNull();

                gate.countDown();
                assertThat(body.readAllBytes()).hasSize(TestRoutes.CHUNK_SIZE);
            }

            BandwidthSnapshot after = Await.completed(stats, 1);
            assertThat(after.bytesSent()).isEqualTo(2 * TestRoutes.CHUNK_SIZE);
            assertThat(after.responseSizes().sumBytes()).isEqualTo(2 * TestRoutes.CHUNK_SIZE);
            assertThat(after.endpoint("/slow").bytesSent()).isEqualTo(2 * TestRoutes.CHUNK_SIZE);
        }
    }

    @Test
    void uploadBytesShowBeforeTheExchangeCompletes() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("upload-progress-test").build();
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, TestRoutes.basic()));
             RawHttp http = new RawHttp(server.port())) {
            http.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 20000\r\n\r\n",
                    BodyCountingTest.filled(10_000));

            Await.until("the first half of the upload to show", () -> stats.snapshot().bytesReceived() == 10_000);
            assertThat(stats.snapshot().requestsInFlight()).isEqualTo(1);
            assertThat(stats.snapshot().requests()).isZero();

            http.sendRaw(BodyCountingTest.filled(10_000));
            assertThat(http.readResponse(false).body()).isEqualTo("n=20000".getBytes());
            assertThat(Await.completed(stats, 1).bytesReceived()).isEqualTo(20_000);
        }
    }
}
