package io.github.httpbandwidth;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** 1 000 clients that go away at random points of uploads and downloads. */
class AbortStormTest {

    private static final int CLIENTS = 1000;
    private static final int UPLOAD = 200_000;

    @Test
    void everyAbortedExchangeCountsOnceAndNothingStaysInFlight() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("abort-storm").build();
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, TestRoutes.basic()))) {
            AtomicBoolean storming = new AtomicBoolean(true);
            AtomicReference<String> backwards = new AtomicReference<>();
            Thread reader = new Thread(() -> watchMonotonic(stats, storming, backwards));
            reader.start();
            ExecutorService clients = Executors.newFixedThreadPool(16);
            List<Future<Long>> uploads = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                Random random = new Random(i);
                uploads.add(clients.submit(() -> random.nextBoolean()
                        ? abortedUpload(server.port(), 1 + random.nextInt(UPLOAD - 1))
                        : abortedDownload(server.port(), 1 + random.nextInt(400_000))));
            }
            long uploadedBytes = 0;
            for (Future<Long> f : uploads) {
                uploadedBytes += f.get(120, TimeUnit.SECONDS);
            }
            clients.shutdown();

            BandwidthSnapshot s = Await.completed(stats, CLIENTS);
            storming.set(false);
            reader.join();
            assertThat(backwards.get()).isNull();
            assertThat(s.requests()).isEqualTo(CLIENTS);
            assertThat(s.requestsInFlight()).isZero();
            assertThat(s.endpoints().stream().mapToLong(EndpointSnapshot::requests).sum()).isEqualTo(CLIENTS);
            // Uploads are cut with an orderly close, so every byte the clients sent arrived and was read.
            assertThat(s.bytesReceived()).isEqualTo(uploadedBytes);
            assertThat(s.requestSizes().sumBytes()).isEqualTo(uploadedBytes);
            assertThat(s.responseSizes().sumBytes()).isEqualTo(s.bytesSent());
        }
    }

    /** Announces 200 000 bytes, sends {@code sent} of them, closes. Returns the bytes sent. */
    private static long abortedUpload(int port, int sent) throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            http.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + UPLOAD + "\r\n\r\n",
                    new byte[sent]);
        }
        return sent;
    }

    /** Asks for 1 MiB, reads the head and {@code read} bytes more, then resets the connection. */
    private static long abortedDownload(int port, int read) throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            http.send("GET /stream/256 HTTP/1.1\r\nHost: localhost\r\n\r\n", null);
            http.readBytes(read);
            http.abort();
        }
        return 0;
    }

    private static void watchMonotonic(BandwidthStats stats, AtomicBoolean running, AtomicReference<String> failure) {
        BandwidthSnapshot previous = stats.snapshot();
        while (running.get()) {
            BandwidthSnapshot s = stats.snapshot();
            if (s.bytesReceived() < previous.bytesReceived() || s.bytesSent() < previous.bytesSent()
                    || s.requests() < previous.requests() || s.requestsInFlight() < 0) {
                failure.set("went backwards: " + previous + " then " + s);
                return;
            }
            previous = s;
        }
    }
}
