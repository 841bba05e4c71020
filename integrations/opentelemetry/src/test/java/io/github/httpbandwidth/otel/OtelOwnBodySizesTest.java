package io.github.httpbandwidth.otel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the OpenTelemetry agent's own experimental HTTP body sizes ({@code http.server.request.body.size},
 * {@code http.server.response.body.size}, on with {@code otel.instrumentation.http.server.emit-experimental-telemetry})
 * report beside this library's figures for the same exchanges, through the same agent and the same OTLP export:
 * a fixed-length upload, a chunked upload, a streamed (chunked) download, and an upload the client abandons. The
 * figures are printed (the guide quotes them) and asserted as measured with agent 2.33.1, ours against what was
 * sent and read.
 */
class OtelOwnBodySizesTest {

    private static final String REQUEST = "http.server.request.body.size";
    private static final String RESPONSE = "http.server.response.body.size";
    private static final String DURATION = "http.server.request.duration";

    @TempDir
    Path work;

    @Test
    void theAgentsOwnSizesReadTheLengthHeaderOursCountTheBytes() throws Exception {
        try (OtlpReceiver otlp = new OtlpReceiver();
             OtelAgentApp app = OtelAgentApp.start(otlp, OtelAgentApp.freePort(), "0",
                     "-Dotel.instrumentation.http.server.emit-experimental-telemetry=true")) {
            await(app, "a first export", () -> latest(otlp, "undertow.bandwidth.requests") >= 0);
            Path upload = work.resolve("upload.bin");
            Files.write(upload, new byte[10_000]);
            List<String> table = new ArrayList<>();
            table.add("| case | sent / read by curl | ours (in / out) | agent's request body size | agent's response body size |");

            Figures before = figures(otlp);
            long[] fixed = Curl.run(app.base() + "/upload", "--data-binary", "@" + upload);
            Figures fixedDelta = settle(app, otlp, before, 1);
            table.add(fixedDelta.row("fixed-length upload", fixed));
            assertThat(fixedDelta.oursIn).isEqualTo(10_000);
            assertThat(fixedDelta.oursOut).isEqualTo(fixed[2]);
            assertThat(fixedDelta.requestSum).isEqualTo(10_000);
            assertThat(fixedDelta.requestCount).isEqualTo(1);

            before = figures(otlp);
            long[] chunked = Curl.run(app.base() + "/upload", "-H", "Transfer-Encoding: chunked", "--data-binary", "@" + upload);
            Figures chunkedDelta = settle(app, otlp, before, 1);
            table.add(chunkedDelta.row("chunked upload", chunked));
            assertThat(chunkedDelta.oursIn).isEqualTo(10_000);
            assertThat(chunkedDelta.requestCount).as("the agent has no request size without a length").isZero();

            before = figures(otlp);
            long[] streamed = Curl.run(app.base() + "/stream");
            Figures streamedDelta = settle(app, otlp, before, 1);
            table.add(streamedDelta.row("streamed download", streamed));
            assertThat(streamed[2]).isEqualTo(3_000);
            assertThat(streamedDelta.oursOut).isEqualTo(3_000);
            assertThat(streamedDelta.responseCount).as("the agent has no response size without a length").isZero();

            before = figures(otlp);
            // 30,000 of a declared 100,000 bytes, then the client goes away.
            try (Socket socket = new Socket("127.0.0.1", app.httpPort())) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(new byte[30_000]);
                out.flush();
                Figures from = before;
                await(app, "the server to have read the 30,000 bytes",
                        () -> figures(otlp).oursIn >= from.oursInTotal + 30_000);
            }
            Figures abortedDelta = settle(app, otlp, before, 1);
            table.add(abortedDelta.row("abandoned upload", new long[] {0, 30_000, 0}));
            assertThat(abortedDelta.oursIn).isEqualTo(30_000);
            assertThat(abortedDelta.requestSum).as("the agent reports the length the client declared").isEqualTo(100_000);

            System.out.println(String.join("\n", table));
        }
    }

    /** Cumulative figures at one moment: the agent's own sizes (all attribute sets) and ours. */
    private record Figures(long requestSum, long requestCount, long responseSum, long responseCount, long durations,
                           long oursIn, long oursOut, long oursInTotal) {

        Figures minus(Figures earlier) {
            return new Figures(requestSum - earlier.requestSum, requestCount - earlier.requestCount,
                    responseSum - earlier.responseSum, responseCount - earlier.responseCount,
                    durations - earlier.durations, oursIn - earlier.oursIn, oursOut - earlier.oursOut, oursInTotal);
        }

        String row(String what, long[] curl) {
            return "| " + what + " | " + curl[1] + " / " + curl[2] + " | " + oursIn + " / " + oursOut + " | "
                    + (requestCount == 0 ? "none" : requestSum + " (" + requestCount + ")") + " | "
                    + (responseCount == 0 ? "none" : responseSum + " (" + responseCount + ")") + " |";
        }
    }

    private static Figures figures(OtlpReceiver otlp) {
        Map<String, OtlpReceiver.Point> last = new LinkedHashMap<>();
        for (OtlpReceiver.Point p : otlp.points()) {
            last.put(p.metric() + "|" + p.attributes(), p);
        }
        long[] f = new long[7];
        for (Map.Entry<String, OtlpReceiver.Point> e : last.entrySet()) {
            OtlpReceiver.Point p = e.getValue();
            switch (p.metric()) {
                case REQUEST -> { f[0] += p.value(); f[1] += p.count(); }
                case RESPONSE -> { f[2] += p.value(); f[3] += p.count(); }
                case DURATION -> f[4] += p.count();
                case "undertow.bandwidth.body.io" -> {
                    if ("receive".equals(p.attributes().get("network.io.direction"))) {
                        f[5] += p.value();
                    } else {
                        f[6] += p.value();
                    }
                }
                default -> { }
            }
        }
        return new Figures(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[5]);
    }

    /** Waits until the agent has timed {@code exchanges} more requests and our totals are still for two exports. */
    private Figures settle(OtelAgentApp app, OtlpReceiver otlp, Figures before, long exchanges) {
        await(app, "the agent to have timed the exchange", () -> figures(otlp).durations >= before.durations + exchanges);
        int requests = otlp.requests();
        await(app, "two more exports", () -> otlp.requests() >= requests + 2);
        return figures(otlp).minus(before);
    }

    private static long latest(OtlpReceiver otlp, String metric) {
        long value = -1;
        for (OtlpReceiver.Point p : otlp.points()) {
            if (p.metric().equals(metric)) {
                value = p.value();
            }
        }
        return value;
    }

    /** Polls every 200 ms for up to 60 s. */
    private static void await(OtelAgentApp app, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (!app.isAlive()) {
                throw new AssertionError("the app ended while waiting for " + what + ": " + app.output());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 60 s: " + what);
            }
            LockSupport.parkNanos(200_000_000L);
        }
    }
}
