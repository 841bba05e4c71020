package io.github.httpbandwidth;

import io.undertow.server.HttpHandler;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An embedded user who creates, uses and closes many {@link BandwidthStats} on long-lived threads (Undertow's IO
 * threads here): the heap stays flat, because nothing per thread or per sampler keeps a closed instance.
 */
class ManyStatsMemoryTest {

    private volatile HttpHandler current = ex -> ex.setStatusCode(404);

    @Test
    void creatingAndClosingThousandsOfStatsKeepsTheHeapFlat() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (TestServer server = TestServer.start(ex -> current.handleRequest(ex))) {
            cycles(300, server, client);
            long before = usedAfterGc();
            cycles(2000, server, client);
            long after = usedAfterGc();
            // One instance's rate samples alone are 183 ticks of 4 longs (about 9 KB by arithmetic): 2000 kept
            // instances would be well over 3 MB.
            assertThat(after - before).as("heap growth over 2000 created and closed instances, bytes")
                    .isLessThan(3_000_000L);
        }
    }

    private void cycles(int count, TestServer server, HttpClient client) throws Exception {
        for (int i = 0; i < count; i++) {
            BandwidthStats stats = BandwidthStats.builder().name("many-" + i).build();
            stats.registerMBean(ManagementFactory.getPlatformMBeanServer());
            current = new BandwidthHandler(stats, ex -> ex.getResponseSender().send(ByteBuffer.allocate(100)));
            client.send(HttpRequest.newBuilder(server.uri("/x")).build(), HttpResponse.BodyHandlers.discarding());
            Await.completed(stats, 1);
            stats.close();
        }
        current = ex -> ex.setStatusCode(404);
    }

    private static long usedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
