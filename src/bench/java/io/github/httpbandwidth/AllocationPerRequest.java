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
 * <p>Arguments: {@code [requests per round [rounds [client key [app]]]]}, default 20000, 7, {@code remote-address}
 * (the top clients' key as {@code undertow-handlers.conf} writes it; the requests carry no header, so
 * {@code header:X-Worker-Id|remote-address} takes its fallback every time) and {@code plain}: the application
 * answers every path; {@code mounted}: it is a router mounted under a path ({@code Handlers.path().addPrefixPath("/v1",
 * Handlers.routing()...)}), the requests go to {@code /v1/jobs/42} and are named {@code /v1/jobs/{id}}.
 */
public final class AllocationPerRequest {

    private static final byte[] OK = "ok".getBytes(StandardCharsets.US_ASCII);

    private AllocationPerRequest() {
    }

    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        ClientKey clientKey = ClientKey.parse(args.length > 2 ? args[2] : "remote-address");
        boolean mounted = args.length > 3 && args[3].equals("mounted");
        if (args.length > 3 && !mounted && !args[3].equals("plain")) {
            throw new IllegalArgumentException("app: plain or mounted, was " + args[3]);
        }
        HttpHandler answer = exchange -> {
            if (exchange.getRequestMethod().toString().equals("POST")) {
                exchange.getRequestReceiver().receiveFullBytes((ex, body) -> ex.getResponseSender().send("ok"));
            } else {
                exchange.getResponseSender().send("ok");
            }
        };
        HttpHandler app = mounted ? io.undertow.Handlers.path().addPrefixPath("/v1",
                io.undertow.Handlers.routing().get("/jobs/{id}", answer).post("/jobs/{id}", answer)) : answer;
        String path = mounted ? "/v1/jobs/42" : null;
        BandwidthStats stats = BandwidthStats.builder().name("allocation").clientKey(clientKey).build();
        Undertow bare = start(app);
        Undertow counted = start(new BandwidthHandler(stats, app));
        Undertow floor = start(floor(app));
        try {
            for (String kind : new String[] {"GET", "POST 100 B"}) {
                boolean post = kind.startsWith("POST");
                // Warm-up: JIT, pools and buffers of both servers.
                for (int i = 0; i < 3; i++) {
                    perRequest(bare, requests, post, path);
                    perRequest(counted, requests, post, path);
                    perRequest(floor, requests, post, path);
                }
                double[] bareRounds = new double[rounds];
                double[] countedRounds = new double[rounds];
                double[] floorRounds = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    bareRounds[r] = perRequest(bare, requests, post, path);
                    countedRounds[r] = perRequest(counted, requests, post, path);
                    floorRounds[r] = perRequest(floor, requests, post, path);
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
            BandwidthSnapshot snapshot = stats.snapshot();
            System.out.println("requests counted by the handler: " + snapshot.requests()
                    + (mounted ? ", on /v1/jobs/{id}: " + snapshot.endpoint("/v1/jobs/{id}").requests() : ""));
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

    /** {@code path}: where the requests go; {@code null}: {@code /upload} for a POST, {@code /small} for a GET. */
    private static double perRequest(Undertow server, int requests, boolean post, String path) throws IOException {
        int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        byte[] request = (post
                ? "POST " + (path != null ? path : "/upload") + " HTTP/1.1\r\nHost: localhost\r\n"
                        + "Content-Length: 100\r\n\r\n" + "x".repeat(100)
                : "GET " + (path != null ? path : "/small") + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
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
