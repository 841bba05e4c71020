package io.github.httpbandwidth.otel;

import io.github.httpbandwidth.BandwidthHandler;
import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.ClientKey;
import io.github.httpbandwidth.EndpointClassifier;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.util.HttpString;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The application the tests run under the real OpenTelemetry agent, on 127.0.0.1 and an ephemeral port: a
 * {@link BandwidthHandler} named {@code otel} around {@code GET /jobs/{id}} (1000 bytes), {@code POST /upload}
 * (answers {@code n=<bytes read>}), {@code GET /stream} (3000 bytes, chunked: no length) and
 * {@code GET /missing/{x}} (404, 9 bytes). The endpoint is the route template,
 * or the percent-decoded {@code X-Test-Endpoint} header when there is one, so a test can name a row anything; top
 * clients by {@code X-Worker-Id}, else the remote address, {@code -DotelTest.clientCapacity} of them (default 50).
 * Prints {@code HTTP_PORT=<port>}; stops when its standard input closes. A line {@code redeploy} on its standard input
 * does what a redeployment or a reload does to a monitor: the handler's {@link BandwidthStats} is closed and a new
 * one of the same name counts from then on (printed: {@code REDEPLOYED}).
 */
public final class OtelTestApp {

    static final HttpString ENDPOINT_HEADER = HttpString.tryFromString("X-Test-Endpoint");

    private OtelTestApp() {
    }

    private static BandwidthStats monitor(EndpointClassifier classifier) {
        BandwidthStats stats = BandwidthStats.builder().name("otel").classifier(classifier)
                .clientKey(ClientKey.parse("header:X-Worker-Id|remote-address"))
                .clientCapacity(Integer.getInteger("otelTest.clientCapacity", 50)).build();
        stats.registerMBean(ManagementFactory.getPlatformMBeanServer());
        return stats;
    }

    public static void main(String[] args) throws Exception {
        EndpointClassifier classifier = exchange -> {
            String header = exchange.getRequestHeaders().getFirst(ENDPOINT_HEADER);
            return header != null ? URLDecoder.decode(header, StandardCharsets.UTF_8)
                    : EndpointClassifier.routeTemplate().classify(exchange);
        };
        AtomicReference<BandwidthHandler> monitor = new AtomicReference<>();
        byte[] job = "j".repeat(1000).getBytes(StandardCharsets.US_ASCII);
        Undertow server = Undertow.builder().addHttpListener(0, "127.0.0.1")
                .setHandler(exchange -> monitor.get().handleRequest(exchange)).build();
        HttpHandler routes = Handlers.routing()
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
                });
        BandwidthStats stats = monitor(classifier);
        monitor.set(new BandwidthHandler(stats, routes));
        server.start();
        System.out.println("HTTP_PORT=" + ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.equals("redeploy")) {
                stats.close();
                stats = monitor(classifier);
                monitor.set(new BandwidthHandler(stats, routes));
                System.out.println("REDEPLOYED");
                System.out.flush();
            }
        }
        server.stop();
        System.exit(0);
    }
}
