package io.github.httpbandwidth;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Malformed HTTP over raw sockets: what Undertow's parser refuses never reaches a handler and is not counted;
 * what reaches ours is counted once, consistently, and our code never throws.
 */
class MalformedHttpTest {

    private final List<Throwable> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getThrown() != null) {
                synchronized (logged) {
                    logged.add(record.getThrown());
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private BandwidthStats stats;
    private TestServer server;

    @BeforeEach
    void start() {
        Logger.getLogger("").addHandler(capture);
        stats = BandwidthStats.builder().name("malformed").build();
        server = TestServer.start(new BandwidthHandler(stats, TestRoutes.basic()));
    }

    @AfterEach
    void stop() {
        server.close();
        Logger.getLogger("").removeHandler(capture);
    }

    @Test
    void garbageOversizedHeadersBrokenChunksAndTruncatedBodies() throws Exception {
        sendAndClose("\u0000\u0001\u0002GARBAGE\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        sendAndClose(("GET /small HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(2 << 20) + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        sendAndClose("GET /small HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        sendAndClose("NOT-HTTP\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        // These two reach the handler: a chunk size that is not hex after 5 good bytes, and a body cut short.
        sendAndClose("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nZZZ\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        sendAndClose("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789"
                .getBytes(StandardCharsets.ISO_8859_1), false);

        BandwidthSnapshot afterAbuse = Await.completed(stats, 2);
        assertThat(afterAbuse.requests()).isEqualTo(2);
        assertThat(afterAbuse.bytesReceived()).isEqualTo(5 + 10);
        assertThat(afterAbuse.requestsInFlight()).isZero();

        try (RawHttp http = new RawHttp(server.port())) {
            http.send("GET /small HTTP/1.1\r\nHost: x\r\n\r\n", null);
            assertThat(http.readResponse(false).body()).hasSize(TestRoutes.SMALL_SIZE);
        }
        BandwidthSnapshot s = Await.completed(stats, 3);
        assertThat(s.requests()).isEqualTo(3);
        assertThat(s.bytesSent() - afterAbuse.bytesSent()).isEqualTo(TestRoutes.SMALL_SIZE);
        assertThat(s.requestSizes().count()).isEqualTo(3);
        assertThat(s.endpoints().stream().mapToLong(EndpointSnapshot::bytesReceived).sum()).isEqualTo(s.bytesReceived());
        synchronized (logged) {
            for (Throwable t : logged) {
                StackTraceElement top = t.getStackTrace().length > 0 ? t.getStackTrace()[0] : null;
                assertThat(top == null ? "" : top.getClassName()).as("thrown from: " + t)
                        .doesNotStartWith("io.github.httpbandwidth.Bandwidth")
                        .doesNotStartWith("io.github.httpbandwidth.Counting")
                        .doesNotStartWith("io.github.httpbandwidth.ExchangeTally")
                        .doesNotStartWith("io.github.httpbandwidth.Striped")
                        .doesNotStartWith("io.github.httpbandwidth.Endpoint");
            }
        }
    }

    /** Sends the bytes, reads whatever answer comes, then closes normally. */
    private void sendAndClose(byte[] bytes) throws Exception {
        sendAndClose(bytes, true);
    }

    /** Sends the bytes, reads the start of the answer if one is due, then closes normally. */
    private void sendAndClose(byte[] bytes, boolean answerDue) throws Exception {
        try (RawHttp http = new RawHttp(server.port())) {
            try {
                http.sendRaw(bytes);
                if (answerDue) {
                    http.readBytes(1);
                }
            } catch (IOException e) {
                // Undertow may close or reset on garbage; that is its answer.
            }
        }
    }
}
