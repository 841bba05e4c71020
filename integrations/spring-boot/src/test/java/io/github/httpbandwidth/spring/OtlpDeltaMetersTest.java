package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.ClientSnapshot;
import io.github.httpbandwidth.testapp.TestApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Micrometer's OTLP registry under delta temporality, whose step counters send each step's value less the last one:
 * a client pushed out of the top-clients table and admitted again between two steps must not make its meters fall
 * (they would send negative deltas of monotonic sums). Two client rows; w3 pushes w2 out, then w2 comes back.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "management.otlp.metrics.export.enabled=true",
                "management.otlp.metrics.export.step=1s",
                "management.otlp.metrics.export.aggregation-temporality=delta", "bandwidth.name=otlp-delta",
                "bandwidth.client-key=header:X-Worker-Id", "bandwidth.client-capacity=2", "bandwidth.row-hold=2s"})
class OtlpDeltaMetersTest {

    private static OtlpCollector collector;

    @DynamicPropertySource
    static void collector(DynamicPropertyRegistry properties) throws IOException {
        collector = OtlpCollector.start();
        properties.add("management.otlp.metrics.export.url", collector::url);
    }

    @AfterAll
    static void stopCollector() {
        collector.close();
    }

    @LocalServerPort
    int port;
    @Autowired
    BandwidthStats stats;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void aClientOutAndBackInBetweenTwoStepsNeverSendsANegativeDelta() throws Exception {
        String w2 = "undertow.bandwidth.client.body.io client=w2 handler=otlp-delta network.io.direction=receive";
        upload("w1", 50_000);
        upload("w2", 3_000);
        await("w2's 3,000 bytes in its series", () -> sum(w2) == 3_000);

        // w3 pushes w2 (the least) out; a console read moves it into the table before w2 comes back in w3's place.
        upload("w3", 4_000);
        Await.completed(stats, 3); // counted when the exchange completes, which can be after the client has its answer
        assertThat(stats.snapshot().clients()).extracting(ClientSnapshot::client).doesNotContain("w2");
        upload("w2", 100);
        long total = 50_000 + 3_000 + 4_000 + 100;
        await("the client series' deltas to add up to every byte (or one to go negative)",
                () -> clientsReceived() == total || collector.sumPoints().stream().anyMatch(p -> p.getValue() < 0));
        assertThat(collector.sumPoints()).filteredOn(p -> p.getKey().startsWith("undertow.bandwidth.client."))
                .allSatisfy(p -> assertThat(p.getValue()).as(p.getKey()).isNotNegative());
        assertThat(clientsReceived()).isEqualTo(total);
        assertThat(sum(w2)).isEqualTo(3_100);
    }

    private void upload(String worker, int bytes) throws Exception {
        assertThat(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/artifacts/a.bin"))
                .header("X-Worker-Id", worker).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[bytes])).build(),
                HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("n=" + bytes);
    }

    /** What one series counted: the sum of its deltas. */
    private static double sum(String series) {
        return collector.sumPoints().stream().filter(p -> p.getKey().equals(series)).mapToDouble(Map.Entry::getValue).sum();
    }

    /** What every client series of received bytes counted. */
    private static double clientsReceived() {
        return collector.sumPoints().stream().filter(p -> p.getKey().startsWith("undertow.bandwidth.client.body.io ")
                && p.getKey().endsWith(" network.io.direction=receive")).mapToDouble(Map.Entry::getValue).sum();
    }

    /** Polls every 200 ms for up to 60 s (1 s steps, 2 s holds). */
    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("not within 60 s: " + what + "; points " + collector.sumPoints()).isLessThan(deadline);
            LockSupport.parkNanos(200_000_000L);
        }
    }
}
