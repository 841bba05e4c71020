package io.github.httpbandwidth;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;

import java.net.InetSocketAddress;
import java.net.URI;

/** A real Undertow on 127.0.0.1 and an ephemeral port, stopped by {@link #close()}. */
final class TestServer implements AutoCloseable {

    private final Undertow undertow;
    private final int port;

    private TestServer(Undertow undertow) {
        this.undertow = undertow;
        undertow.start();
        this.port = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    }

    static TestServer start(HttpHandler root) {
        return new TestServer(Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(root).build());
    }

    /** With request bodies up to {@code maxEntityBytes} (Undertow refuses larger ones with 413). */
    static TestServer startAllowing(HttpHandler root, long maxEntityBytes) {
        return new TestServer(Undertow.builder().addHttpListener(0, "127.0.0.1")
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, maxEntityBytes).setHandler(root).build());
    }

    /** With one server option set, such as {@code UndertowOptions.BUFFER_PIPELINED_DATA}. */
    static <T> TestServer startWith(HttpHandler root, org.xnio.Option<T> option, T value) {
        return new TestServer(Undertow.builder().addHttpListener(0, "127.0.0.1").setServerOption(option, value)
                .setHandler(root).build());
    }

    /** With h2c upgrade enabled on the plain listener. */
    static TestServer startHttp2(HttpHandler root) {
        return new TestServer(Undertow.builder().addHttpListener(0, "127.0.0.1")
                .setServerOption(UndertowOptions.ENABLE_HTTP2, true).setHandler(root).build());
    }

    /** HTTPS with HTTP/2 (ALPN) on 127.0.0.1. */
    static TestServer startHttps2(HttpHandler root, javax.net.ssl.SSLContext tls) {
        return new TestServer(Undertow.builder().addHttpsListener(0, "127.0.0.1", tls)
                .setServerOption(UndertowOptions.ENABLE_HTTP2, true).setHandler(root).build());
    }

    int port() {
        return port;
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    @Override
    public void close() {
        undertow.stop();
    }
}
