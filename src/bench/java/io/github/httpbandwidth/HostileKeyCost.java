package io.github.httpbandwidth;

import com.sun.management.ThreadMXBean;
import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * What a hostile client can make a client key cost, measured: the CPU time of {@code forwardedFor} on the worst
 * {@code X-Forwarded-For} headers (as the key runs at completion, on an exchange a trusted proxy sent), that of a
 * header key as the table keeps it on the longest values (blanks folded, then cut), and the heap the top clients
 * keep after 128 requests keyed by 1,000,000-byte header values over 16 connections. Run with
 * {@code examples/benchmarks/hostile-keys.sh}; figures in docs/PERFORMANCE.md.
 *
 * <p>Arguments: {@code [cpu|heap|both [longest header]]}; the longest header defaults to 1,000,000 characters (a
 * version with a quadratic parser needs a smaller one to finish).
 */
public final class HostileKeyCost {

    private static final HttpString X_FORWARDED_FOR = new HttpString("X-Forwarded-For");

    private HostileKeyCost() {
    }

    public static void main(String[] args) throws Exception {
        String what = args.length > 0 ? args[0] : "both";
        int longest = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        if (!what.equals("heap")) {
            cpu(longest);
        }
        if (!what.equals("cpu")) {
            heap();
        }
    }

    private static void cpu(int longest) throws Exception {
        List<AddressRange> proxies = AddressRange.parseAll("127.0.0.0/8", "10.0.0.0/8");
        StringBuilder trusted = new StringBuilder("198.51.100.1");
        while (trusted.length() < longest - 12) {
            trusted.append(", 10.0.0.1");
        }
        String[][] headers = {
            {"honest: a client and one proxy", "203.0.113.9, 10.0.0.1"},
            {"16,000 colons and an x", "203.0.113.1, " + ":".repeat(16_000) + "x"},
            {"the longest header of colons and an x", "203.0.113.1, " + ":".repeat(longest - 14) + "x"},
            {"the longest header of trusted hops", trusted.toString()},
            {"a hop the JDK would look up (.::1)", ".::1"},
        };
        for (String[] header : headers) {
            HttpServerExchange exchange = new HttpServerExchange(null);
            exchange.setSourceAddress(new InetSocketAddress("127.0.0.1", 40000));
            exchange.getRequestHeaders().put(X_FORWARDED_FOR, header[1]);
            time("forwardedFor, " + header[0], header[1].length(), () -> ClientKeys.forwardedFor(exchange, proxies));
        }
        // A header key as the table keeps it: a value over 128 characters has its blanks folded and is cut.
        ClientKey worker = ClientKey.header("X-Worker-Id");
        String[][] values = {
            {"honest: a worker id", "worker-17"},
            {"the longest value of letters", "x".repeat(longest)},
            {"the longest value of blanks and an x", " ".repeat(longest - 1) + "x"},
            {"the longest value of a letter and 3 blanks", "a   ".repeat(longest / 4)},
        };
        for (String[] value : values) {
            HttpServerExchange exchange = new HttpServerExchange(null);
            exchange.getRequestHeaders().put(new HttpString("X-Worker-Id"), value[1]);
            time("header key, " + value[0], value[1].length(), () -> ClientTable.kept(worker.key(exchange)));
        }
    }

    /** Warms up, then times rounds of 10 ms until 2 s have passed (at least 3): CPU time of this thread per key. */
    private static void time(String what, int chars, Supplier<Object> keyer) {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (long end = System.nanoTime() + 1_000_000_000L; System.nanoTime() < end; ) {
            keyer.get();
        }
        List<Double> micros = new ArrayList<>();
        Object key = null;
        long stop = System.nanoTime() + 2_000_000_000L;
        while (micros.size() < 3 || System.nanoTime() < stop && micros.size() < 100_000) {
            long cpu = threads.getCurrentThreadCpuTime();
            long wall = System.nanoTime();
            int n = 0;
            do {
                key = keyer.get();
                n++;
            } while (System.nanoTime() - wall < 10_000_000L);
            micros.add((threads.getCurrentThreadCpuTime() - cpu) / 1e3 / n);
        }
        double[] sorted = micros.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        String shown = String.valueOf(key);
        System.out.printf("%-55s %,9d chars: median %,12.3f us per key (%d rounds), key %s%n", what, chars,
                sorted[sorted.length / 2], sorted.length, shown.length() > 40 ? shown.substring(0, 40) + "..." : shown);
    }

    private static void heap() throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        BandwidthStats stats = BandwidthStats.builder().name("hostile-keys")
                .clientKey(ClientKey.header("X-Worker-Id")).build();
        Undertow server = Undertow.builder().addHttpListener(0, "127.0.0.1")
                // Blocking, so that the 16 connections are served by worker threads, each with its own buffer.
                .setHandler(new BandwidthHandler(stats, new io.undertow.server.handlers.BlockingHandler(
                        exchange -> exchange.getResponseSender().send("ok"))))
                .build();
        server.start();
        int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        try {
            send(port, 16, 1, 10);
            long before = usedAfterGc(memory);
            send(port, 16, 8, 1_000_000);
            while (stats.snapshot().requests() < 16 + 128) {
                Thread.sleep(10);
            }
            long after = usedAfterGc(memory);
            System.out.printf("heap after a full GC: %,d B before, %,d B after 128 keys of 1,000,000 B over 16 "
                    + "connections: %+,.1f MB kept; %d request threads' buffers; key characters held: %s%n",
                    before, after, (after - before) / 1e6, stats.clientBuffers(), charsRetained(stats));
        } finally {
            server.stop();
            stats.close();
        }
    }

    /** What the table and the buffers hold of keys, where this version can say (reflection: older ones cannot). */
    private static String charsRetained(BandwidthStats stats) {
        try {
            java.lang.reflect.Method method = BandwidthStats.class.getDeclaredMethod("clientKeyCharsRetained");
            return String.format("%,d", (long) method.invoke(stats));
        } catch (ReflectiveOperationException e) {
            return "not counted in this version";
        }
    }

    /** {@code connections} connections at once, each sending {@code requests} requests with a distinct key. */
    private static void send(int port, int connections, int requests, int keyLength) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                int connection = c;
                done.add(pool.submit(() -> {
                    try (Socket socket = new Socket("127.0.0.1", port)) {
                        OutputStream out = socket.getOutputStream();
                        InputStream in = socket.getInputStream();
                        for (int r = 0; r < requests; r++) {
                            String id = "w" + keyLength + "-" + connection + "-" + r + "-";
                            out.write(("GET / HTTP/1.1\r\nHost: localhost\r\nX-Worker-Id: " + id
                                    + "x".repeat(keyLength - id.length()) + "\r\n\r\n")
                                    .getBytes(StandardCharsets.ISO_8859_1));
                            out.flush();
                            readOk(in);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void readOk(InputStream in) throws IOException {
        byte[] last = new byte[6];
        for (int c = in.read(); ; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            System.arraycopy(last, 1, last, 0, 5);
            last[5] = (byte) c;
            if (Arrays.equals(last, "\r\n\r\nok".getBytes(StandardCharsets.US_ASCII))) {
                return;
            }
        }
    }

    private static long usedAfterGc(MemoryMXBean memory) {
        for (int i = 0; i < 3; i++) {
            memory.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
