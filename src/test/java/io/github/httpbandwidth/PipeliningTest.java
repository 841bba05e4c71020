package io.github.httpbandwidth;

import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP/1.1 pipelining: a client writes several requests, bodies and all, before reading any answer, so Undertow reads
 * the next request's bytes with the current one's and parses them from its buffer. Each body counts as read (or as
 * drained, when the handler never reads it), never a byte of the next request; with and without Undertow's
 * {@code BUFFER_PIPELINED_DATA}, which holds answers back to write them together.
 */
class PipeliningTest {

    /** {@code /read} reads the body, {@code /stream} reads it blocking and streams the answer, else it is drained. */
    private static final HttpHandler ROUTES = exchange -> {
        int out = Integer.parseInt(exchange.getQueryParameters().get("out").getFirst());
        switch (exchange.getRequestPath()) {
            case "/read" -> exchange.getRequestReceiver().receiveFullBytes(
                    (ex, body) -> ex.getResponseSender().send("r".repeat(out)));
            case "/stream" -> exchange.dispatch(() -> {
                exchange.startBlocking();
                try (OutputStream os = exchange.getOutputStream()) {
                    exchange.getInputStream().readAllBytes();
                    byte[] piece = new byte[997];
                    for (int left = out; left > 0; left -= piece.length) {
                        os.write(piece, 0, Math.min(left, piece.length));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            default -> exchange.getResponseSender().send("d".repeat(out));
        }
    };

    @ParameterizedTest(name = "BUFFER_PIPELINED_DATA={0}")
    @ValueSource(booleans = {false, true})
    void pipelinedBodiesCountOnceEachAndNothingOfTheNextRequest(boolean buffered) throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("pipelining-" + buffered).build();
        try (stats; TestServer server = TestServer.startWith(new BandwidthHandler(stats, ROUTES),
                UndertowOptions.BUFFER_PIPELINED_DATA, buffered)) {
            Random random = new Random(1);
            long requests = 0;
            long in = 0;
            long out = 0;
            for (int connection = 0; connection < 12; connection++) {
                ByteArrayOutputStream wire = new ByteArrayOutputStream();
                int count = 2 + random.nextInt(6);
                for (int i = 0; i < count; i++) {
                    int bodySize = random.nextInt(3) == 0 ? 0 : random.nextInt(20_000);
                    in += bodySize;
                    writeRequest(wire, new String[] {"/read", "/stream", "/drain"}[random.nextInt(3)],
                            random.nextInt(30_000), BodyCountingTest.filled(bodySize), random);
                }
                try (RawHttp client = new RawHttp(server.port())) {
                    client.sendRaw(wire.toByteArray());
                    for (int i = 0; i < count; i++) {
                        RawHttp.Response response = client.readResponse(false);
                        assertThat(response.status()).isEqualTo(200);
                        out += response.body().length;
                    }
                }
                requests += count;
            }

            BandwidthSnapshot s = Await.completed(stats, requests);
            assertThat(s.requests()).isEqualTo(requests);
            assertThat(s.bytesReceived()).isEqualTo(in);
            assertThat(s.bytesSent()).isEqualTo(out);
            assertThat(s.requestSizes().sumBytes()).isEqualTo(in);
            assertThat(s.responseSizes().sumBytes()).isEqualTo(out);
        }
    }

    /** A POST with {@code out} in its query, its body fixed-length or chunked in random pieces. */
    private static void writeRequest(ByteArrayOutputStream wire, String path, int out, byte[] body, Random random)
            throws IOException {
        boolean chunked = random.nextBoolean();
        wire.write(("POST " + path + "?out=" + out + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + (chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + body.length) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        if (!chunked) {
            wire.write(body);
            return;
        }
        for (int offset = 0, piece; offset < body.length; offset += piece) {
            piece = Math.min(body.length - offset, 1 + random.nextInt(5_000));
            wire.write((Integer.toHexString(piece) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            wire.write(body, offset, piece);
            wire.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        wire.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    }
}
