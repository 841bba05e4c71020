package io.github.httpbandwidth;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Clients that go away mid-body: counted once, bytes that moved, nothing left in flight. */
class AbortTest {

    /**
     * The downloads below are cut after 1 MiB; what the server counts is what reached its kernel, the read megabyte
     * plus both sockets' buffers. A fixed 64 KiB on the client keeps that well under the body (the server's send
     * buffer grows to {@code tcp_wmem}'s maximum, 4 MiB by default); a self-tuning one may grow to 32 MiB and take
     * the whole body, which made the upper bound fail once in CI.
     */
    private static final int SMALL_RECEIVE_BUFFER = 64 * 1024;

    private BandwidthStats stats;
    private TestServer server;

    @BeforeEach
    void start() {
        stats = BandwidthStats.builder().name("abort-test").build();
        server = TestServer.start(new BandwidthHandler(stats, TestRoutes.basic()));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void clientClosingDuringAnUploadCountsTheBytesThatArrived() throws Exception {
        for (int i = 1; i <= 5; i++) {
            try (RawHttp http = new RawHttp(server.port())) {
                http.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000000\r\n\r\n",
                        BodyCountingTest.random(100_000));
            }

            BandwidthSnapshot s = Await.completed(stats, i);
            assertThat(s.requests()).isEqualTo(i);
            assertThat(s.requestsInFlight()).isZero();
            assertThat(s.bytesReceived()).isEqualTo(i * 100_000L);
            assertThat(s.endpoint("/upload").bytesReceived()).isEqualTo(i * 100_000L);
            assertThat(s.requestSizes().sumBytes()).isEqualTo(i * 100_000L);
        }
    }

    @Test
    void clientResettingDuringADownloadKeepsTheBytesAlreadySent() throws Exception {
        int fullBody = 2048 * TestRoutes.CHUNK_SIZE;
        long previous = 0;
        for (int i = 1; i <= 5; i++) {
            try (RawHttp http = new RawHttp(server.port(), SMALL_RECEIVE_BUFFER)) {
                http.send("GET /stream/2048 HTTP/1.1\r\nHost: localhost\r\n\r\n", null);
                byte[] received = http.readBytes(1 << 20);
                assertThat(received).hasSize(1 << 20);
                http.abort();
            }

            BandwidthSnapshot s = Await.completed(stats, i);
            long sentThisTime = s.bytesSent() - previous;
            previous = s.bytesSent();
            assertThat(s.requests()).isEqualTo(i);
            assertThat(s.requestsInFlight()).isZero();
            // The client read 1 MiB of head, framing and body before the reset, so at least ~1 MB of body
            // went out; the rest of the 8 MiB never did.
            assertThat(sentThisTime).isBetween(1_000_000L, fullBody - 1L);
            assertThat(s.endpoint("/stream/{chunks}").bytesSent()).isEqualTo(s.bytesSent());
            assertThat(s.responseSizes().sumBytes()).isEqualTo(s.bytesSent());
        }
    }

    @Test
    void aResetDuringOneLargeWriteKeepsTheBytesThatLeftBeforeIt() throws Exception {
        int fullBody = 32 << 20;
        long previous = 0;
        for (int i = 1; i <= 5; i++) {
            try (RawHttp http = new RawHttp(server.port(), SMALL_RECEIVE_BUFFER)) {
                http.send("GET /single/32 HTTP/1.1\r\nHost: localhost\r\n\r\n", null);
                assertThat(http.readBytes(1 << 20)).hasSize(1 << 20);
                http.abort();
            }

            BandwidthSnapshot s = Await.completed(stats, i);
            long sentThisTime = s.bytesSent() - previous;
            previous = s.bytesSent();
            assertThat(s.requestsInFlight()).isZero();
            // One Sender.send of 32 MiB: the call throws at the reset, after at least the megabyte the client read.
            assertThat(sentThisTime).isBetween(1_000_000L, fullBody - 1L);
            assertThat(s.endpoint("/single/{mib}").bytesSent()).isEqualTo(s.bytesSent());
            assertThat(s.responseSizes().sumBytes()).isEqualTo(s.bytesSent());
        }
    }
}
