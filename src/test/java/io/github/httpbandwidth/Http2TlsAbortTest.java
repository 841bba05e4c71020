package io.github.httpbandwidth;

import io.undertow.server.RoutingHandler;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An upload over HTTP/2 with TLS that the client gives up on half-way: curl announces 3 MiB, sends at 500 kB/s
 * and resets the stream after one second.
 */
class Http2TlsAbortTest {

    private static final long UPLOAD = 3 << 20;

    @TempDir
    Path work;
    private BandwidthStats stats;

    @BeforeEach
    void upload() throws Exception {
        Files.write(work.resolve("upload.bin"), BodyCountingTest.filled((int) UPLOAD));
    }

    @Test
    void aBlockingReaderSeesTheResetAndTheExchangeCompletes() throws Exception {
        try (TestServer server = start("h2-tls-abort-blocking")) {
            cutUpload(server, "/upload");
            Await.until("the reset upload to complete", () -> stats.snapshot().requests() == 1,
                    () -> stats.snapshot().toString());
            BandwidthSnapshot s = stats.snapshot();
            assertThat(s.requestsInFlight()).isZero();
            assertThat(s.bytesReceived()).isBetween(1L, UPLOAD - 1);
            assertThat(s.endpoint("/upload").bytesReceived()).isEqualTo(s.bytesReceived());
        } finally {
            stats.close();
        }
    }

    /**
     * Undertow's non-blocking {@code Receiver} is never told of the reset, so Undertow never completes the exchange,
     * not even once the connection is closed: a limitation of Undertow (seen here on 2.3.27; an independent check saw
     * it on 2.2.41 and 2.4.4 too, also without this library), documented in the guide. The arrived bytes are in the totals; the exchange stays in
     * flight. This watches for three seconds after curl has given up; should Undertow fix it, this fails, and the
     * guide must change.
     */
    @Test
    void undertowLeavesANonBlockingReceiverWaitingForever() throws Exception {
        try (TestServer server = start("h2-tls-abort-receiver")) {
            cutUpload(server, "/receive");
            Await.until("the first bytes to arrive", () -> stats.snapshot().bytesReceived() > 0);
            long until = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() - until < 0) {
                assertThat(stats.snapshot().requests()).as("Undertow completed the reset exchange after all").isZero();
                LockSupport.parkNanos(50_000_000);
            }
            BandwidthSnapshot s = stats.snapshot();
            assertThat(s.requestsInFlight()).isEqualTo(1);
            assertThat(s.bytesReceived()).isBetween(1L, UPLOAD - 1);
        } finally {
            stats.close();
        }
    }

    private TestServer start(String name) throws Exception {
        stats = BandwidthStats.builder().name(name).build();
        RoutingHandler routes = TestRoutes.basic().post("/receive", ex -> ex.getRequestReceiver()
                .receiveFullBytes((e, body) -> e.getResponseSender().send("n=" + body.length)));
        return TestServer.startHttps2(new BandwidthHandler(stats, routes), TestTls.serverContext(work));
    }

    private void cutUpload(TestServer server, String path) throws Exception {
        Shell.Result cut = Shell.run(work, Map.of(), "curl -skv --http2 --limit-rate 500K --max-time 1 -o /dev/null "
                + "--data-binary @upload.bin https://127.0.0.1:" + server.port() + path, 60);
        assertThat(cut.exitCode()).as("curl gave up: " + cut.output()).isEqualTo(28);
        assertThat(cut.output()).as("the upload went over HTTP/2").contains("using HTTP/2");
    }
}
