package io.github.httpbandwidth;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.ConnectorStatistics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Wire bytes of the Undertow listeners beside the body bytes, reconciled with what a raw client wrote and read,
 * with a loopback capture by tcpdump, and, on HTTPS with HTTP/2, against Undertow's own aggregate that counts the
 * HTTP/2 part twice.
 */
class ListenerWireTest {

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private BandwidthStats stats;
    private Undertow undertow;

    @TempDir
    Path work;

    @AfterEach
    void stop() {
        if (undertow != null) {
            undertow.stop();
        }
        if (stats != null) {
            stats.close();
        }
    }

    @Test
    void http11WireBytesEqualWhatARawClientMovedAndWhatTheLoopbackCarried() throws Exception {
        stats = BandwidthStats.builder().name("wire-http").build();
        stats.registerMBean(server);
        undertow = Undertow.builder().addHttpListener(0, "127.0.0.1")
                .setServerOption(UndertowOptions.ENABLE_STATISTICS, true)
                .setHandler(new BandwidthHandler(stats, TestRoutes.basic())).build();
        undertow.start();
        int port = port(undertow);
        assertThat(stats.watchListeners(undertow)).containsExactly("http-127.0.0.1-" + port);

        long written = 0;
        long read = 0;
        try (LoopbackCapture capture = LoopbackCapture.start(work, port)) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                for (int i = 0; i < 50; i++) {
                    byte[] get = "GET /small HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
                    out.write(get);
                    written += get.length;
                    read += readResponse(in);
                    // A chunked upload of 3000 bytes in three chunks: the framing is wire bytes, not body bytes.
                    ByteArrayOutputStream post = new ByteArrayOutputStream();
                    post.write(("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    for (int c = 0; c < 3; c++) {
                        post.write("3e8\r\n".getBytes(StandardCharsets.US_ASCII));
                        post.write(BodyCountingTest.filled(1000));
                        post.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    post.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.write(post.toByteArray());
                    written += post.size();
                    read += readResponse(in);
                }
            }
            BandwidthSnapshot body = Await.completed(stats, 100);
            ListenerSnapshot wire = body.listeners().get(0);
            long toServer = written;
            long fromServer = read;
            Await.until("the capture to hold what the client moved", () -> capture.totals().toServer() == toServer
                    && capture.totals().fromServer() == fromServer, () -> capture.totals().toString());
            LoopbackCapture.Totals captured = capture.totals();

            assertThat(wire.requests()).isEqualTo(100);
            assertThat(wire.wireBytesReceived()).isEqualTo(written);
            assertThat(wire.wireBytesSent()).isEqualTo(read);
            assertThat(captured.toServer()).as("tcpdump, to the server").isEqualTo(written);
            assertThat(captured.fromServer()).as("tcpdump, from the server").isEqualTo(read);
            // Body bytes are the lesser part: overhead = wire - body.
            assertThat(body.bytesReceived()).isEqualTo(150_000);
            assertThat(body.bytesSent()).isEqualTo(50 * (TestRoutes.SMALL_SIZE + "n=3000".length()));
            assertThat(wire.wireBytesReceived() - body.bytesReceived()).isPositive();

            ObjectName listener = new ObjectName("io.github.httpbandwidth:type=BandwidthStats,name=wire-http,listener=http-127.0.0.1-" + port);
            assertThat(server.getAttribute(listener, "WireBytesReceived")).isEqualTo(written);
            assertThat(server.getAttribute(listener, "WireBytesSent")).isEqualTo(read);
            assertThat(server.getAttribute(listener, "Requests")).isEqualTo(100L);
            assertThat((String) server.getAttribute(listener, "Counting")).startsWith("Bytes on the wire");
        }
        stats.close();
        assertThat(server.queryNames(new ObjectName("io.github.httpbandwidth*:name=wire-http,*"), null)).isEmpty();
    }

    @Test
    void httpsWithHttp2CountsEachHttp2ByteOnceWhereUndertowsAggregateCountsItTwice() throws Exception {
        stats = BandwidthStats.builder().name("wire-h2").build();
        stats.registerMBean(server);
        undertow = Undertow.builder().addHttpsListener(0, "127.0.0.1", TestTls.serverContext(work))
                .setServerOption(UndertowOptions.ENABLE_HTTP2, true)
                .setServerOption(UndertowOptions.ENABLE_STATISTICS, true)
                // Above Undertow's default entity limit for HTTP/2 (2 MiB), as the example master sets it.
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, 8L << 20)
                .setHandler(new BandwidthHandler(stats, TestRoutes.basic())).build();
        undertow.start();
        int port = port(undertow);
        assertThat(stats.watchListeners(undertow)).containsExactly("https-127.0.0.1-" + port);
        Path upload = work.resolve("three-mib.bin");
        Files.write(upload, BodyCountingTest.filled(3 << 20));

        ListenerSnapshot ours;
        LoopbackCapture.Totals captured;
        try (LoopbackCapture capture = LoopbackCapture.start(work, port)) {
            Shell.Result curl = Shell.run(work, Map.of(), "curl -sSk --http2 -X POST --data-binary @three-mib.bin "
                    + "-w '%{http_version} %{size_upload}' -o /dev/null https://127.0.0.1:" + port + "/upload", 60);
            assertThat(curl.output()).isEqualTo("2 3145728");
            Await.completed(stats, 1);
            ours = stats.snapshot().listeners().get(0);
            Await.until("the capture to hold the upload", () -> capture.totals().toServer() > ours.wireBytesReceived(),
                    () -> capture.totals().toString());
            captured = capture.totals();
        }
        ConnectorStatistics undertows = undertow.getListenerInfo().get(0).getConnectorStatistics();
        // The bug, as Undertow has it: one upload, two requests, every HTTP/2 byte twice.
        assertThat(undertows.getRequestCount()).isEqualTo(2);
        assertThat(undertows.getBytesReceived()).isEqualTo(2 * ours.wireBytesReceived());
        assertThat(undertows.getBytesSent()).isEqualTo(2 * ours.wireBytesSent());
        // Ours: one request, the 3 MiB body plus HTTP/2 framing and headers inside TLS.
        assertThat(ours.requests()).isEqualTo(1);
        assertThat(ours.wireBytesReceived()).isBetween(3L << 20, (3L << 20) + 64 * 1024);
        assertThat(ours.counting()).contains("inside TLS", "counted once");
        // The socket carries TLS records and the handshake besides: a capture sees more than the listener counts.
        assertThat(captured.toServer() - ours.wireBytesReceived()).isBetween(1L, 64L * 1024);
    }

    @Test
    void listenersWithoutStatisticsAreNotShown() {
        stats = BandwidthStats.builder().name("wire-none").build();
        undertow = Undertow.builder().addHttpListener(0, "127.0.0.1")
                .setHandler(new BandwidthHandler(stats, TestRoutes.basic())).build();
        undertow.start();
        assertThat(stats.watchListeners(undertow)).isEmpty();
        assertThat(stats.snapshot().listeners()).isEqualTo(List.of());
    }

    private static int port(Undertow undertow) {
        return ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    }

    /** Reads one response with a Content-Length body; returns every byte read. */
    private static long readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the headers: " + head);
            }
            head.write(b);
        }
        String headers = head.toString(StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT);
        int at = headers.indexOf("content-length:");
        if (at < 0) {
            throw new IOException("no content-length: " + headers);
        }
        int length = Integer.parseInt(headers.substring(at + 15, headers.indexOf('\r', at)).trim());
        byte[] body = in.readNBytes(length);
        if (body.length != length) {
            throw new IOException("short body");
        }
        return head.size() + length;
    }
}
