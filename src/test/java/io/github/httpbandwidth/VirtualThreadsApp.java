package io.github.httpbandwidth;

import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Run by {@link VirtualThreadsTest} on a Java 21+ runtime: exchanges handled on virtual threads (one per task) are
 * counted exactly and do not leave one counter row per virtual thread behind. Prints {@code OK ...} or fails.
 */
public final class VirtualThreadsApp {

    private static final int REQUESTS = 2000;
    private static final int BODY = 1000;

    private VirtualThreadsApp() {
    }

    public static void main(String[] args) throws Exception {
        // Compiled for Java 17, so the Java 21 API is reached by reflection.
        ExecutorService virtualThreads = (ExecutorService) Executors.class
                .getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        BandwidthStats stats = BandwidthStats.builder().name("virtual").build();
        Undertow server = Undertow.builder().addHttpListener(0, "127.0.0.1")
                .setHandler(new BandwidthHandler(stats, exchange -> exchange.dispatch(virtualThreads,
                        () -> echo(exchange)))).build();
        server.start();
        int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        HttpClient client = HttpClient.newHttpClient();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            done.add(clients.submit(() -> {
                HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[BODY])).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                if (r.body().length != BODY) {
                    throw new AssertionError("echo of " + r.body().length + " bytes");
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        clients.shutdown();
        Await.until("all exchanges completed", () -> stats.snapshot().requests() == REQUESTS
                && stats.snapshot().requestsInFlight() == 0);
        BandwidthSnapshot s = stats.snapshot();
        if (s.bytesReceived() != (long) REQUESTS * BODY || s.bytesSent() != (long) REQUESTS * BODY) {
            throw new AssertionError("bytes " + s.bytesReceived() + " in, " + s.bytesSent() + " out");
        }
        System.out.println("OK requests=" + s.requests() + " cells=" + stats.counterCells());
        server.stop();
        virtualThreads.shutdown();
    }

    private static void echo(HttpServerExchange exchange) {
        try {
            exchange.startBlocking();
            byte[] body = exchange.getInputStream().readAllBytes();
            exchange.getOutputStream().write(body);
            exchange.endExchange();
        } catch (java.io.IOException e) {
            exchange.setStatusCode(500);
            exchange.endExchange();
        }
    }
}
