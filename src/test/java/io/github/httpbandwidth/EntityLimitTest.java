package io.github.httpbandwidth;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.Version;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A body over {@code MAX_ENTITY_SIZE}, read by a blocking handler: what the client gets, and that the exchange is
 * counted either way. Runs in the compatibility matrix on every Undertow line.
 */
class EntityLimitTest {

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void anOversizedBodyIsRefusedAndCountedOnEveryUndertowLine(boolean chunked) throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("entity-limit").build();
        Undertow undertow = Undertow.builder().addHttpListener(0, "127.0.0.1")
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, 1000L)
                .setHandler(new BandwidthHandler(stats, TestRoutes.basic())).build();
        undertow.start();
        int port = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
        try (RawHttp http = new RawHttp(port)) {
            if (chunked) {
                byte[] body = new byte[2000 + 12];
                System.arraycopy(BodyCountingTest.filled(2000), 0, body, 0, 2000);
                System.arraycopy("\r\n0\r\n\r\n".getBytes(), 0, body, 2000, 7);
                http.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n7d0\r\n",
                        java.util.Arrays.copyOf(body, 2007));
            } else {
                http.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2000\r\n\r\n",
                        BodyCountingTest.filled(2000));
            }
            int status;
            try {
                status = http.readResponse(false).status();
            } catch (java.io.IOException e) {
                status = 0;
            }

            String version = Version.getVersionString();
            // Seen the same on 2.2.41, 2.3.27 and 2.4.4: a Content-Length over the limit gets 413 before the body is
            // read; a chunked body that grows past it ends with the connection closed and no answer (0 here).
            int expected = chunked ? 0 : 413;
            assertThat(status).as("Undertow " + version + (chunked ? ", chunked" : ", Content-Length")).isEqualTo(expected);
            BandwidthSnapshot s = Await.completed(stats, 1);
            assertThat(s.requests()).isEqualTo(1);
            assertThat(s.bytesReceived()).isBetween(0L, 2000L);
        } finally {
            undertow.stop();
            stats.close();
        }
    }
}
