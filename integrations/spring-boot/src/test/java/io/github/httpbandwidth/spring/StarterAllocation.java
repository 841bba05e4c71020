package io.github.httpbandwidth.spring;

import com.sun.management.ThreadMXBean;
import io.github.httpbandwidth.testapp.TestApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Not a test: the heap a Spring MVC application on Undertow allocates per request with the starter on, minus the
 * same application with it off ({@code bandwidth.enabled=false}), both in this JVM, from
 * {@code ThreadMXBean.getThreadAllocatedBytes} summed over every thread around keep-alive requests from a raw socket
 * (the client's own allocation is the same for both and cancels out). Rounds alternate; medians are printed.
 * Arguments: {@code [requests per round [rounds [context path]]]}, default 20000, 7, none. docs/PERFORMANCE.md gives
 * the command and the figures.
 */
public final class StarterAllocation {

    private StarterAllocation() {
    }

    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        String contextPath = args.length > 2 ? args[2] : "";
        try (ConfigurableApplicationContext off = start("off", false, contextPath);
             ConfigurableApplicationContext on = start("on", true, contextPath)) {
            int offPort = ((WebServerApplicationContext) off).getWebServer().getPort();
            int onPort = ((WebServerApplicationContext) on).getWebServer().getPort();
            for (String kind : new String[] {"GET", "POST 100 B"}) {
                boolean post = kind.startsWith("POST");
                for (int i = 0; i < 3; i++) {
                    perRequest(offPort, requests, post, contextPath);
                    perRequest(onPort, requests, post, contextPath);
                }
                double[] offRounds = new double[rounds];
                double[] onRounds = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    offRounds[r] = perRequest(offPort, requests, post, contextPath);
                    onRounds[r] = perRequest(onPort, requests, post, contextPath);
                }
                double o = median(offRounds);
                double n = median(onRounds);
                System.out.printf("%-11s starter off %8.1f B/request, on %8.1f B/request, the starter adds %+6.1f "
                        + "B/request (medians of %d rounds of %d requests)%n", kind, o, n, n - o, rounds, requests);
            }
            io.github.httpbandwidth.BandwidthSnapshot counted = on.getBean(io.github.httpbandwidth.BandwidthStats.class)
                    .snapshot();
            System.out.println("requests counted: " + counted.endpoint(contextPath + "/jobs/{id}").requests() + " on "
                    + contextPath + "/jobs/{id}, " + counted.endpoint(contextPath + "/artifacts/{name}").requests()
                    + " on " + contextPath + "/artifacts/{name}");
        }
    }

    private static ConfigurableApplicationContext start(String name, boolean enabled, String contextPath) {
        return new SpringApplicationBuilder(TestApplication.class).properties(
                "server.address=127.0.0.1", "server.port=0", "bandwidth.enabled=" + enabled,
                "bandwidth.name=allocation-" + name, "server.servlet.context-path=" + contextPath,
                "spring.main.banner-mode=off", "logging.level.root=WARN",
                "management.otlp.metrics.export.enabled=false").run();
    }

    private static double perRequest(int port, int requests, boolean post, String contextPath) throws IOException {
        byte[] request = (post
                ? "POST " + contextPath + "/artifacts/a HTTP/1.1\r\nHost: localhost\r\n"
                        + "Content-Type: application/octet-stream\r\nContent-Length: 100\r\n\r\n" + "x".repeat(100)
                : "GET " + contextPath + "/jobs/42 HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            exchange(out, in, request, buffer);
            long before = allocated(threads);
            for (int i = 0; i < requests; i++) {
                exchange(out, in, request, buffer);
            }
            return (allocated(threads) - before) / (double) requests;
        }
    }

    /** Sends one request and reads its whole answer: headers, then Content-Length bytes of body. */
    private static void exchange(OutputStream out, InputStream in, byte[] request, byte[] buffer) throws IOException {
        out.write(request);
        int filled = 0;
        int headerEnd = -1;
        long length = -1;
        while (true) {
            int n = in.read(buffer, filled, buffer.length - filled);
            if (n < 0) {
                throw new IOException("connection closed after " + filled + " bytes");
            }
            filled += n;
            if (headerEnd < 0) {
                headerEnd = indexOf(buffer, filled);
                if (headerEnd >= 0) {
                    String head = new String(buffer, 0, headerEnd, StandardCharsets.US_ASCII).toLowerCase();
                    if (!head.startsWith("http/1.1 200")) {
                        throw new IOException("not a 200: " + head);
                    }
                    int at = head.indexOf("content-length:");
                    if (at < 0) {
                        throw new IOException("no Content-Length: " + head);
                    }
                    length = Long.parseLong(head.substring(at + 15, head.indexOf('\r', at)).trim());
                }
            }
            if (headerEnd >= 0 && filled - headerEnd - 4 >= length) {
                return;
            }
        }
    }

    private static int indexOf(byte[] buffer, int filled) {
        for (int i = 0; i + 3 < filled; i++) {
            if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static long allocated(ThreadMXBean threads) {
        return Arrays.stream(threads.getThreadAllocatedBytes(threads.getAllThreadIds())).filter(b -> b > 0).sum();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
