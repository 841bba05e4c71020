package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthHandler;
import io.github.httpbandwidth.BandwidthStats;
import io.undertow.Undertow;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.embedded.undertow.HttpHandlerFactory;
import org.springframework.boot.web.embedded.undertow.UndertowServletWebServerFactory;
import org.springframework.boot.web.embedded.undertow.UndertowWebServer;
import org.springframework.boot.web.server.Compression;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the starter does where it reaches into Boot, on Boot's real classes: the reactive server's handler factories
 * (a private field) and the servlet server's compressing handler (a package-private class). Where they are, the
 * handler goes where it must and counts exactly; where they are not (a later Boot), the application runs as Boot made
 * it, uncounted or with compression where Boot put it, and nothing fails.
 */
class PlacementFallbackTest {

    private static final HttpHandlerFactory ANSWER =
            next -> exchange -> exchange.getResponseSender().send("y".repeat(321));

    @Test
    void theReactiveServerCountsWithTheHandlerOutermostAndRunsUncountedWithoutIt() throws Exception {
        try (BandwidthStats stats = BandwidthStats.builder().name("placement").build()) {
            UndertowWebServer counted = server();
            assertThat(ReactiveHandlerPlacement.placeOutermost(counted, BandwidthHandler.wrapper(stats),
                    ReactiveHandlerPlacement.FACTORIES)).isTrue();
            UndertowWebServer missingField = server();
            assertThat(ReactiveHandlerPlacement.placeOutermost(missingField, BandwidthHandler.wrapper(stats),
                    "noSuchField")).isFalse();
            try {
                counted.start();
                missingField.start();
                assertThat(ReactiveHandlerPlacement.placeOutermost(counted, BandwidthHandler.wrapper(stats),
                        ReactiveHandlerPlacement.FACTORIES)).as("once started, too late").isFalse();
                // The uncounted server's exchange first: by the time the counted one has landed, it would have too.
                assertThat(Loopback.get(missingField.getPort(), "/", 200)).isEqualTo(321);
                assertThat(Loopback.get(counted.getPort(), "/", 200)).isEqualTo(321);
                assertThat(Await.completed(stats, 1).bytesSent()).isEqualTo(321);
            } finally {
                counted.stop();
                missingField.stop();
            }
        }
    }

    @Test
    void withoutBootsCompressingHandlerCompressionStaysWhereBootPutsIt() {
        UndertowServletWebServerFactory moved = compressing();
        assertThat(HandlerPlacement.takeCompression(moved, HandlerPlacement.BOOT_COMPRESSION)).isNotNull();
        assertThat(moved.getCompression().getEnabled()).as("Boot's own turned off, ours inside the handler").isFalse();

        UndertowServletWebServerFactory left = compressing();
        assertThat(HandlerPlacement.takeCompression(left, "org.springframework.boot.NoSuchFactory")).isNull();
        assertThat(left.getCompression().getEnabled()).as("Boot's own left on").isTrue();
        assertThat(left.getCompression().getMinResponseSize().toBytes()).isEqualTo(1);
    }

    /** Boot's reactive Undertow server on 127.0.0.1, made as Boot makes it: a builder and a list of factories. */
    private static UndertowWebServer server() {
        List<HttpHandlerFactory> factories = new ArrayList<>(List.of(ANSWER));
        return new UndertowWebServer(Undertow.builder().addHttpListener(0, "127.0.0.1"), factories, true);
    }

    private static UndertowServletWebServerFactory compressing() {
        Compression compression = new Compression();
        compression.setEnabled(true);
        compression.setMinResponseSize(org.springframework.util.unit.DataSize.ofBytes(1));
        UndertowServletWebServerFactory factory = new UndertowServletWebServerFactory();
        factory.setCompression(compression);
        return factory;
    }
}
