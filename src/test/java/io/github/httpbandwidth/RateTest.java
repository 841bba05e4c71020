package io.github.httpbandwidth;

import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Rates over 1, 5 and 15 minutes, driven by an injected clock: no sleeps. */
class RateTest {

    private final MutableClock clock = new MutableClock();
    private final BandwidthStats stats = BandwidthStats.builder().name("rate-test").clock(clock).build();

    @Test
    void ratesFollowTrafficAndFallToExactlyZeroWhenItStops() throws Exception {
        sendSmall(10);
        clock.advance(Duration.ofSeconds(30));

        BandwidthSnapshot busy = stats.snapshot();
        assertThat(busy.bytesSentPerSecond().oneMinute()).isCloseTo(10_000 / 30.0, within(1e-9));
        assertThat(busy.bytesSentPerSecond().fifteenMinutes()).isCloseTo(10_000 / 30.0, within(1e-9));
        assertThat(busy.requestsPerSecond().oneMinute()).isCloseTo(10 / 30.0, within(1e-9));
        assertThat(busy.bytesReceivedPerSecond().oneMinute()).isZero();

        clock.advance(Duration.ofSeconds(60));
        BandwidthSnapshot quietMinute = stats.snapshot();
        assertThat(quietMinute.bytesSentPerSecond().oneMinute()).isEqualTo(0.0);
        assertThat(quietMinute.requestsPerSecond().oneMinute()).isEqualTo(0.0);
        assertThat(quietMinute.bytesSentPerSecond().fiveMinutes()).isCloseTo(10_000 / 90.0, within(1e-9));

        clock.advance(Duration.ofMinutes(16));
        BandwidthSnapshot idle = stats.snapshot();
        assertThat(idle.bytesSentPerSecond()).isEqualTo(new Rate(0.0, 0.0, 0.0));
        assertThat(idle.requestsPerSecond()).isEqualTo(new Rate(0.0, 0.0, 0.0));

        clock.advance(Duration.ofDays(3));
        assertThat(stats.snapshot().bytesSentPerSecond()).isEqualTo(new Rate(0.0, 0.0, 0.0));
    }

    @Test
    void trafficAfterALongIdleShowsAtOnce() throws Exception {
        clock.advance(Duration.ofHours(2));
        stats.snapshot();
        sendSmall(6);
        clock.advance(Duration.ofSeconds(60));

        BandwidthSnapshot s = stats.snapshot();
        assertThat(s.bytesSentPerSecond().oneMinute()).isCloseTo(6_000 / 60.0, within(1e-9));
        assertThat(s.bytesSentPerSecond().fifteenMinutes()).isCloseTo(6_000 / 900.0, within(1e-9));
    }

    @Test
    void unreadTicksAreFilledBetweenTheTwoReadingsTheyLieBetween() throws Exception {
        stats.snapshot();
        sendSmall(20);
        // Nobody read for ten minutes: 20 kB arrived somewhere in between, so the best estimate of the
        // last minute is a tenth of it.
        clock.advance(Duration.ofMinutes(10));

        BandwidthSnapshot s = stats.snapshot();
        assertThat(s.bytesSentPerSecond().oneMinute()).isCloseTo(2_000 / 60.0, within(1.0));
        assertThat(s.bytesSentPerSecond().fifteenMinutes()).isCloseTo(20_000 / 600.0, within(1e-9));
    }

    private void sendSmall(int count) throws Exception {
        long before = stats.snapshot().requests();
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, TestRoutes.basic()))) {
            HttpClient client = HttpClient.newHttpClient();
            for (int i = 0; i < count; i++) {
                client.send(HttpRequest.newBuilder(server.uri("/small")).build(), HttpResponse.BodyHandlers.discarding());
            }
            Await.completed(stats, before + count);
        }
    }
}
