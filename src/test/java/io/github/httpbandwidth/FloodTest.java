package io.github.httpbandwidth;

import io.undertow.Handlers;
import io.undertow.server.HttpHandler;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A cardinality flood: 100 000 requests with distinct random paths and random methods. */
class FloodTest {

    private static final int FLOOD = 100_000;
    private static final int CONNECTIONS = 4;
    private static final String[] METHODS = {"GET", "GET", "GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "FOO"};

    @Test
    void routeTemplatesKeepTheRowsToTheRoutesWhateverThePaths() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("flood-routes").build();
        HttpHandler routes = Handlers.routing()
                .get("/jobs/{id}", ex -> ex.getResponseSender().send("job"))
                .delete("/jobs/{id}", ex -> ex.endExchange())
                .get("/artifacts/{name}", ex -> ex.getResponseSender().send("artifact"));
        long heapBefore = usedHeapAfterGc();

        flood(stats, routes);

        BandwidthSnapshot s = Await.completed(stats, FLOOD);
        assertThat(s.requests()).isEqualTo(FLOOD);
        // A quarter of the paths match /jobs/{id} (with random ids); the rest match nothing. Rows exist for what
        // was hit, never for a path.
        assertThat(s.endpoints()).extracting(EndpointSnapshot::endpoint).containsExactlyInAnyOrder(
                "/jobs/{id}", "(unmatched)", "(overflow)");
        assertThat(s.endpoints().stream().mapToLong(EndpointSnapshot::requests).sum()).isEqualTo(FLOOD);
        assertThat(s.overflowRequests()).isZero();
        assertThat(stats.counterCells()).as("one counter row per live server thread").isLessThanOrEqualTo(16);
        // Generous: what must not happen is growth with the number of distinct paths.
        assertThat(usedHeapAfterGc() - heapBefore).as("heap growth over the flood").isLessThan(64L << 20);
    }

    @Test
    void aRawPathClassifierIsHeldAtTheCapWithTheRestOnOverflow() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("flood-raw").classifier(ex -> ex.getRequestPath()).build();

        flood(stats, ex -> ex.getResponseSender().send("x"));

        BandwidthSnapshot s = Await.completed(stats, FLOOD);
        int cap = BandwidthStats.DEFAULT_ENDPOINT_CAP;
        assertThat(s.endpoints()).hasSize(cap + 2);
        assertThat(s.overflowRequests()).isEqualTo(FLOOD - cap);
        assertThat(s.endpoints().stream().mapToLong(EndpointSnapshot::requests).sum()).isEqualTo(FLOOD);
        assertThat(s.endpoints().stream().mapToLong(EndpointSnapshot::bytesSent).sum()).isEqualTo(s.bytesSent());
    }

    /** {@value #FLOOD} requests over {@value #CONNECTIONS} keep-alive connections; every path is distinct. */
    private static void flood(BandwidthStats stats, HttpHandler app) throws Exception {
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, app))) {
            ExecutorService clients = Executors.newFixedThreadPool(CONNECTIONS);
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < CONNECTIONS; c++) {
                int connection = c;
                done.add(clients.submit(() -> {
                    Random random = new Random(connection);
                    try (RawHttp http = new RawHttp(server.port())) {
                        for (int i = 0; i < FLOOD / CONNECTIONS; i++) {
                            String method = METHODS[random.nextInt(METHODS.length)];
                            String unique = connection + "-" + i + "-" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
                            String path = random.nextInt(4) == 0 ? "/jobs/" + unique : "/no/such/" + unique;
                            http.send(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n", null);
                            http.readResponse("HEAD".equals(method));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(300, TimeUnit.SECONDS);
            }
            clients.shutdown();
        }
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
