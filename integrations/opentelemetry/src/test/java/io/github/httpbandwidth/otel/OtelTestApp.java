package io.github.httpbandwidth.otel;

import io.github.httpbandwidth.BandwidthHandler;
import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.ClientKey;
import io.github.httpbandwidth.EndpointClassifier;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.util.HttpString;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The application the tests run under the real OpenTelemetry agent, on 127.0.0.1 and an ephemeral port: a
 * {@link BandwidthHandler} named {@code otel} around {@code GET /jobs/{id}} (1000 bytes), {@code POST /upload}
 * (answers {@code n=<bytes read>}), {@code GET /stream} (3000 bytes, chunked: no length) and
 * {@code GET /missing/{x}} (404, 9 bytes). The endpoint is the route template,
 * or the percent-decoded {@code X-Test-Endpoint} header when there is one, so a test can name a row anything; top
 * clients by {@code X-Worker-Id}, else the remote address, {@code -DotelTest.clientCapacity} of them (default 50).
 * Prints {@code HTTP_PORT=<port>}; stops when its standard input closes.
 */
public final class OtelTestApp {

    static final HttpString ENDPOINT_HEADER = HttpString.tryFromString("X-Test-Endpoint");

    private OtelTestApp() {
    }

    public static void main(String[] args) throws Exception {
        EndpointClassifier classifier = exchange -> {
            String header = exchange.getRequestHeaders().getFirst(ENDPOINT_HEADER);
            return header != null ? URLDecoder.decode(header, StandardCharsets.UTF_8)
                    : EndpointClassifier.routeTemplate().classify(exchange);
        };
        BandwidthStats stats = BandwidthStats.builder().name("otel").classifier(classifier)
                .clientKey(ClientKey.parse("header:X-Worker-Id|remote-address"))
                .clientCapacity(Integer.getInteger("otelTest.clientCapacity", 50)).build();
        stats.registerMBean(ManagementFactory.getPlatformMBeanServer());
        byte[] job = "j".repeat(1000).getBytes(StandardCharsets.US_ASCII);
        Undertow server = Undertow.builder().addHttpListener(0, "127.0.0.1")
                .setHandler(new BandwidthHandler(stats, Handlers.routing()
                        .get("/jobs/{id}", exchange -> exchange.getResponseSender().send(ByteBuffer.wrap(job)))
                        .post("/upload", exchange -> exchange.getRequestReceiver().receiveFullBytes(
                                (done, body) -> done.getResponseSender().send("n=" + body.length)))
                        .get("/stream", new BlockingHandler(exchange -> {
                            // No length: three flushed writes go out chunked.
                            for (int i = 0; i < 3; i++) {
                                exchange.getOutputStream().write(job);
                                exchange.getOutputStream().flush();
                            }
                        }))
                        .get("/missing/{x}", exchange -> {
                            exchange.setStatusCode(404);
                            exchange.getResponseSender().send("not here!");
                        }))).build();
        server.start();
        System.out.println("HTTP_PORT=" + ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort());
        System.out.flush();
        while (System.in.read() != -1) {
            // Runs until the parent closes our standard input.
        }
        server.stop();
        System.exit(0);
    }
}
