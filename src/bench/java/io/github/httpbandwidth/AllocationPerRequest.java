package io.github.httpbandwidth;

import com.sun.management.ThreadMXBean;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Heap allocated per request through a real Undertow, with the handler minus without it, in one run: the sum of
 * {@code ThreadMXBean.getThreadAllocatedBytes} over every thread of the JVM around N keep-alive requests sent by
 * a raw socket (the client's own allocation is the same in both servers and cancels out). Rounds alternate between
 * the two servers; the median round is reported. Run with {@code examples/benchmarks/allocation.sh}.
 *
 * <p>Arguments: {@code [requests per round [rounds [client key]]]}, default 20000, 7 and {@code remote-address}
 * (the top clients' key as {@code undertow-handlers.conf} writes it; the requests carry no header, so
 * {@code header:X-Worker-Id|remote-address} takes its fallback every time).
 */
public final class AllocationPerRequest {

    private static final byte[] OK = "ok".getBytes(StandardCharsets.US_ASCII);

    private AllocationPerRequest() {
    }

    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        ClientKey clientKey = ClientKey.parse(args.length > 2 ? args[2] : "remote-address");
        HttpHandler app = exchange -> {
            if (exchange.getRequestMethod().toString().equals("POST")) {
                exchange.getRequestReceiver().receiveFullBytes((ex, body) -> ex.getResponseSender().send("ok"));
            } else {
                exchange.getResponseSender().send("ok");
            }
        };
        BandwidthStats stats = BandwidthStats.builder().name("allocation").clientKey(clientKey).build();
        Undertow bare = start(app);
        Undertow counted = start(new BandwidthHandler(stats, app));
        Undertow floor = start(floor(app));
        try {
            for (String kind : new String[] {"GET", "POST 100 B"}) {
                boolean post = kind.startsWith("POST");
                // Warm-up: JIT, pools and buffers of both servers.
                for (int i = 0; i < 3; i++) {
                    perRequest(bare, requests, post);
                    perRequest(counted, requests, post);
                    perRequest(floor, requests, post);
                }
                double[] bareRounds = new double[rounds];
                double[] countedRounds = new double[rounds];
                double[] floorRounds = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    bareRounds[r] = perRequest(bare, requests, post);
                    countedRounds[r] = perRequest(counted, requests, post);
                    floorRounds[r] = perRequest(floor, requests, post);
                }
                double b = median(bareRounds);
                double c = median(countedRounds);
                double f = median(floorRounds);
                System.out.printf("%-11s without handler %7.1f B/request, with handler %7.1f B/request, "
                        + "handler adds %+6.1f B/request (medians of %d rounds of %d requests)%n",
                        kind, b, c, c - b, rounds, requests);
                System.out.printf("%-11s the floor (an empty completion listener and empty wrappers, shared) adds "
                        + "%+6.1f B/request; the handler %+6.1f B/request more%n", kind, f - b, c - f);
            }
            System.out.println("requests counted by the handler: " + stats.snapshot().requests());
        } finally {
            bare.stop();
            counted.stop();
            floor.stop();
            stats.close();
        }
    }

    /**
     * The floor of any handler that counts body bytes through Undertow's public API: it must hear of the completion
     * (a completion listener) and see the bytes pass (a response wrapper, and a request wrapper where there is a
     * body). Here the listener and the wrappers are shared objects that do nothing, so what this adds over the bare
     * server is only what Undertow allocates for having a listener and wrappers at all.
     */
    private static HttpHandler floor(HttpHandler next) {
        io.undertow.server.ExchangeCompletionListener listener = (exchange, nextListener) -> nextListener.proceed();
        io.undertow.server.ConduitWrapper<org.xnio.conduits.StreamSinkConduit> response = (factory, exchange) -> factory.create();
        io.undertow.server.ConduitWrapper<org.xnio.conduits.StreamSourceConduit> request = (factory, exchange) -> factory.create();
        return exchange -> {
            exchange.addExchangeCompleteListener(listener);
            if (!exchange.isRequestComplete() && exchange.isRequestChannelAvailable()) {
                exchange.addRequestWrapper(request);
            }
            if (exchange.isResponseChannelAvailable()) {
                exchange.addResponseWrapper(response);
            }
            next.handleRequest(exchange);
        };
    }

    private static Undertow start(HttpHandler handler) {
        Undertow server = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(handler).build();
        server.start();
        return server;
    }

    private static double perRequest(Undertow server, int requests, boolean post) throws IOException {
        int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        byte[] request = (post
                ? "POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n" + "x".repeat(100)
                : "GET /small HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            exchange(out, in, request, buffer);
            long before = allocated(threads);
            for (int i = 0; i < requests; i++) {
                exchange(out, in, request, buffer);
            }
            return (allocated(threads) - before) / (double) requests;
        }
    }

    /** Sends one request and reads its whole answer, which ends in the 2-byte body "ok". */
    private static void exchange(OutputStream out, InputStream in, byte[] request, byte[] buffer) throws IOException {
        out.write(request);
        int filled = 0;
        while (true) {
            int n = in.read(buffer, filled, buffer.length - filled);
            if (n < 0) {
                throw new IOException("connection closed");
            }
            filled += n;
            if (endsWithBody(buffer, filled)) {
                return;
            }
        }
    }

    private static boolean endsWithBody(byte[] b, int n) {
        return n >= 6 && b[n - 6] == '\r' && b[n - 5] == '\n' && b[n - 4] == '\r' && b[n - 3] == '\n'
                && b[n - 2] == OK[0] && b[n - 1] == OK[1];
    }

    private static long allocated(ThreadMXBean threads) {
        return Arrays.stream(threads.getThreadAllocatedBytes(threads.getAllThreadIds())).filter(v -> v > 0).sum();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
