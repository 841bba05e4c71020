package io.github.httpbandwidth;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** Exact totals from many client threads at once, and readers that never see a counter go backwards. */
class ConcurrencyTest {

    private static final int THREADS = 8;
    private static final int ROUNDS = 100;
    private static final int UPLOAD = 3000;

    @Test
    void eightClientThreadsGiveExactTotalsAndMonotonicReads() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("concurrency-test").build();
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, TestRoutes.basic()))) {
            CountDownLatch gate = new CountDownLatch(1);
            AtomicBoolean running = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
            try {
                Future<Integer> reader = pool.submit(() -> readUntilStopped(stats, running));
                List<Future<?>> clients = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    // Raw keep-alive connections: a higher-level client may retry a request on its own, and then
                    // the server rightly counts one more exchange than the test sent.
                    clients.add(pool.submit(() -> {
                        gate.await();
                        try (RawHttp http = new RawHttp(server.port())) {
                            for (int i = 0; i < ROUNDS; i++) {
                                http.send("GET /small HTTP/1.1\r\nHost: localhost\r\n\r\n", null);
                                assertThat(http.readResponse(false).body()).hasSize(TestRoutes.SMALL_SIZE);
                                http.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + UPLOAD
                                        + "\r\n\r\n", new byte[UPLOAD]);
                                assertThat(http.readResponse(false).body()).isEqualTo(("n=" + UPLOAD).getBytes());
                            }
                        }
                        return null;
                    }));
                }
                gate.countDown();
                for (Future<?> c : clients) {
                    c.get(120, TimeUnit.SECONDS);
                }
                long requests = 2L * THREADS * ROUNDS;
                BandwidthSnapshot s = Await.completed(stats, requests);
                running.set(false);
                assertThat(reader.get(30, TimeUnit.SECONDS)).as("reads done while clients ran").isPositive();

                assertThat(s.requests()).isEqualTo(requests);
                assertThat(s.bytesReceived()).isEqualTo((long) THREADS * ROUNDS * UPLOAD);
                assertThat(s.bytesSent()).isEqualTo((long) THREADS * ROUNDS * (TestRoutes.SMALL_SIZE + ("n=" + UPLOAD).length()));
                assertThat(s.endpoint("/small").requests()).isEqualTo((long) THREADS * ROUNDS);
                assertThat(s.endpoint("/upload").requests()).isEqualTo((long) THREADS * ROUNDS);
                assertThat(s.requestSizes().sumBytes()).isEqualTo(s.bytesReceived());
                assertThat(s.responseSizes().sumBytes()).isEqualTo(s.bytesSent());
                assertThat(s.endpoints().stream().mapToLong(EndpointSnapshot::bytesSent).sum()).isEqualTo(s.bytesSent());
            } finally {
                running.set(false);
                pool.shutdownNow();
            }
        }
    }

    /** Reads snapshots in a loop, failing on any counter that moves backwards or any sum that disagrees. */
    private static int readUntilStopped(BandwidthStats stats, AtomicBoolean running) {
        BandwidthSnapshot previous = stats.snapshot();
        int reads = 0;
        while (running.get()) {
            BandwidthSnapshot s = stats.snapshot();
            reads++;
            assertThat(s.bytesReceived()).isGreaterThanOrEqualTo(previous.bytesReceived());
            assertThat(s.bytesSent()).isGreaterThanOrEqualTo(previous.bytesSent());
            assertThat(s.requests()).isGreaterThanOrEqualTo(previous.requests());
            // An exchange completes just after its client has the answer and may already send the next one,
            // so in-flight can briefly exceed the client thread count; it can never be negative.
            assertThat(s.requestsInFlight()).isNotNegative();
            assertThat(s.requestSizes().count()).isEqualTo(s.requests());
            long[] cumulative = s.responseSizes().cumulativeCounts();
            assertThat(cumulative[cumulative.length - 1]).isEqualTo(s.responseSizes().count());
            // Rows move at completion, totals as bytes pass: rows never run ahead of the totals.
            assertThat(s.endpoints().stream().mapToLong(EndpointSnapshot::bytesSent).sum()).isLessThanOrEqualTo(s.bytesSent());
            for (EndpointSnapshot row : s.endpoints()) {
                EndpointSnapshot before = previous.endpoint(row.endpoint());
                if (before != null) {
                    assertThat(row.bytesSent()).isGreaterThanOrEqualTo(before.bytesSent());
                    assertThat(row.bytesReceived()).isGreaterThanOrEqualTo(before.bytesReceived());
                    assertThat(row.requests()).isGreaterThanOrEqualTo(before.requests());
                }
            }
            previous = s;
        }
        return reads;
    }
}
