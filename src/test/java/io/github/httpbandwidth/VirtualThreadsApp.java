package io.github.httpbandwidth;

import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
    private static final int UNREAD = 20;

    private VirtualThreadsApp() {
    }

    public static void main(String[] args) {
        try {
            run();
        } catch (Throwable failure) {
            // Undertow's and the executors' threads would keep the JVM alive until the test's timeout.
            failure.printStackTrace();
            System.exit(1);
        }
    }

    private static void run() throws Exception {
        // Compiled for Java 17, so the Java 21 API is reached by reflection.
        ExecutorService virtualThreads = (ExecutorService) Executors.class
                .getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        BandwidthStats stats = BandwidthStats.builder().name("virtual").build();
        Undertow server = Undertow.builder().addHttpListener(0, "127.0.0.1")
                .setHandler(new BandwidthHandler(stats, exchange -> exchange.dispatch(virtualThreads,
                        () -> route(exchange)))).build();
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
        // Chunked bodies never read, on one keep-alive connection: Undertow drains each when the exchange ends on its
        // virtual thread, and ends the exchange inside that drain; each body must still be on its row.
        byte[] chunked = ("2710\r\n" + "x".repeat(10_000) + "\r\n1\r\ny\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        try (RawHttp http = new RawHttp(port)) {
            for (int i = 0; i < UNREAD; i++) {
                http.send("POST /reject HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n", chunked);
                if (http.readResponse(false).body().length != 2) {
                    throw new AssertionError("the 401's body");
                }
            }
        }
        Await.until("the unread bodies' exchanges", () -> stats.snapshot().requests() == REQUESTS + UNREAD
                && stats.snapshot().requestsInFlight() == 0
                && stats.snapshot().endpoints().stream().mapToLong(EndpointSnapshot::requests).sum() == REQUESTS + UNREAD);
        s = stats.snapshot();
        long want = (long) REQUESTS * BODY + UNREAD * 10_001L;
        long onRows = s.endpoints().stream().mapToLong(EndpointSnapshot::bytesReceived).sum();
        if (s.bytesReceived() != want || onRows != want || s.requestSizes().sumBytes() != want) {
            throw new AssertionError("unread chunked bodies: " + s.bytesReceived() + " in, " + onRows + " on rows, "
                    + s.requestSizes().sumBytes() + " in sizes; want " + want);
        }
        System.out.println("OK requests=" + s.requests() + " cells=" + stats.counterCells());
        server.stop();
        virtualThreads.shutdown();
    }

    private static void route(HttpServerExchange exchange) {
        if (exchange.getRequestPath().equals("/reject")) {
            exchange.setStatusCode(401);
            exchange.getResponseSender().send("no");
        } else {
            echo(exchange);
        }
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
