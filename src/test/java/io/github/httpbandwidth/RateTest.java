package io.github.httpbandwidth;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.PathTemplateMatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Rates over 1, 5 and 15 minutes, on an injected monotonic ticker: no sleeps. The rate sampler's ticks are taken
 * by the test, as the background sampler takes them every 5 s.
 */
class RateTest {

    private static final long TICK = RateTracker.TICK_NANOS;
    private static final long SECOND = 1_000_000_000L;
    private static final long[] WINDOWS = {60 * SECOND, 300 * SECOND, 900 * SECOND};

    private final MutableClock clock = new MutableClock();
    private final MutableTicker ticker = new MutableTicker();
    private final BandwidthStats stats = BandwidthStats.builder().name("rate-test").clock(clock).ticker(ticker).build();

    @Test
    void ratesFollowRealTrafficAndFallToExactlyZeroWhenItStops() throws Exception {
        sendSmall(10);
        ticker.advance(Duration.ofSeconds(30));

        BandwidthSnapshot busy = stats.snapshot();
        assertThat(busy.bytesSentPerSecond().oneMinute()).isCloseTo(10_000 / 60.0, within(1e-9));
        assertThat(busy.bytesSentPerSecond().fifteenMinutes()).isCloseTo(10_000 / 900.0, within(1e-9));
        assertThat(busy.requestsPerSecond().oneMinute()).isCloseTo(10 / 60.0, within(1e-9));
        assertThat(busy.bytesReceivedPerSecond().oneMinute()).isZero();

        // Unaligned to the ticks, as a Prometheus scrape or a JConsole poll is.
        ticker.advance(Duration.ofMillis(65_001));
        BandwidthSnapshot quiet = stats.snapshot();
        assertThat(quiet.bytesSentPerSecond().oneMinute()).isEqualTo(0.0);
        assertThat(quiet.requestsPerSecond().oneMinute()).isEqualTo(0.0);
        assertThat(quiet.bytesSentPerSecond().fiveMinutes()).isCloseTo(10_000 / 300.0, within(1e-9));

        ticker.advance(Duration.ofMinutes(16));
        assertThat(stats.snapshot().bytesSentPerSecond()).isEqualTo(new Rate(0.0, 0.0, 0.0));
        assertThat(stats.snapshot().requestsPerSecond()).isEqualTo(new Rate(0.0, 0.0, 0.0));
    }

    @Test
    void theWallClockDoesNotMoveTheRates() {
        Endpoint row = stats.endpointOf(ExchangeTallyDriver.routed("/x"));
        tickEvery5sUntil(ticker.getAsLong() + 20 * SECOND);
        record(row, 6_000);
        Rate before = stats.snapshot().bytesSentPerSecond();
        clock.advance(Duration.ofHours(-1));
        assertThat(stats.snapshot().bytesSentPerSecond()).isEqualTo(before);
        clock.advance(Duration.ofHours(2));
        assertThat(stats.snapshot().bytesSentPerSecond()).isEqualTo(before);
        assertThat(before.oneMinute()).isEqualTo(100.0);
    }

    @Test
    void aFirstReadAfterHalfAnHourShowsTheLastMinuteNotTheHalfHour() {
        Endpoint row = stats.endpointOf(ExchangeTallyDriver.routed("/x"));
        long start = ticker.getAsLong();
        // Nobody reads for 30 minutes; the sampler ticks. In the last minute 600 kB are sent, 10 kB a second.
        for (long t = start; t < start + 30 * 60 * SECOND; t += SECOND) {
            ticker.set(t);
            if ((t - start) % TICK == 0) {
                stats.sampleRates();
            }
            if (t >= start + 29 * 60 * SECOND) {
                record(row, 10_000);
            }
        }
        ticker.set(start + 30 * 60 * SECOND - SECOND / 2);
        Rate rate = stats.snapshot().bytesSentPerSecond();
        assertThat(rate.oneMinute()).isCloseTo(10_000, within(1e-6));
        assertThat(rate.fiveMinutes()).isCloseTo(2_000, within(1e-6));
        assertThat(rate.fifteenMinutes()).isCloseTo(600_000 / 900.0, within(1e-6));
    }

    /**
     * Random traffic, reads at random moments (gaps of up to 40 minutes included), wall clock steps: every read
     * agrees with a brute-force count over the recorded events. For a window of W seconds the rate must lie between
     * what moved in the last W seconds and what moved in the last W + 5 seconds, each divided by W, and be exactly
     * 0.0 when nothing moved in the last W + 5 seconds.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 2026})
    void everyReadAgreesWithABruteForceOracle(long seed) {
        Random random = new Random(seed);
        Endpoint row = stats.endpointOf(ExchangeTallyDriver.routed("/x"));
        long start = ticker.getAsLong();
        long end = start + 3 * 3600 * SECOND;
        TreeMap<Long, Long> events = new TreeMap<>();
        List<Long> reads = new ArrayList<>();
        long t = start;
        while (t < end) {
            // Bursts, then quiet spells of up to 20 minutes.
            t += random.nextInt(10) < 8 ? (long) (random.nextDouble() * 3 * SECOND) : (long) (random.nextDouble() * 1200 * SECOND);
            events.merge(t, 1L + random.nextInt(100_000), Long::sum);
        }
        for (long r = start; r < end; ) {
            r += random.nextInt(10) < 9 ? (long) (random.nextDouble() * 30 * SECOND) : (long) (random.nextDouble() * 2400 * SECOND);
            reads.add(r);
        }
        long nextTick = start + TICK;
        int readIndex = 0;
        int checked = 0;
        int zeros = 0;
        for (Map.Entry<Long, Long> event : events.entrySet()) {
            long at = event.getKey();
            while (true) {
                long nextRead = readIndex < reads.size() ? reads.get(readIndex) : Long.MAX_VALUE;
                long next = Math.min(nextTick, nextRead);
                if (next > at) {
                    break;
                }
                ticker.set(next);
                if (next == nextTick) {
                    stats.sampleRates();
                    nextTick += TICK;
                } else {
                    readIndex++;
                    if (random.nextInt(4) == 0) {
                        clock.advance(Duration.ofMinutes(random.nextBoolean() ? 60 : -60));
                    }
                    BandwidthSnapshot s = stats.snapshot();
                    Rate bytes = s.bytesSentPerSecond();
                    Rate requests = s.requestsPerSecond();
                    double[] byteRates = {bytes.oneMinute(), bytes.fiveMinutes(), bytes.fifteenMinutes()};
                    double[] requestRates = {requests.oneMinute(), requests.fiveMinutes(), requests.fifteenMinutes()};
                    for (int w = 0; w < WINDOWS.length; w++) {
                        zeros += check(events, next, w, byteRates[w], false);
                        check(events, next, w, requestRates[w], true);
                        checked++;
                    }
                }
            }
            ticker.set(at);
            record(row, event.getValue());
        }
        assertThat(checked).isGreaterThan(90);
        assertThat(zeros).isGreaterThan(10);
    }

    /** Checks one rate against the events; 1 when it had to be exactly zero. */
    private static int check(TreeMap<Long, Long> events, long now, int window, double rate, boolean countEvents) {
        long w = WINDOWS[window];
        double seconds = w / (double) SECOND;
        double atLeast = moved(events, now - w, now, countEvents) / seconds;
        double atMost = moved(events, now - w - TICK, now, countEvents) / seconds;
        String what = (countEvents ? "requests" : "bytes") + " rate over " + seconds + " s at " + now;
        if (atMost == 0) {
            assertThat(rate).as(what).isEqualTo(0.0);
            return 1;
        }
        assertThat(rate).as(what).isBetween(atLeast * (1 - 1e-12), atMost * (1 + 1e-12));
        return 0;
    }

    /** What the events in (from, to] add up to: bytes, or how many. */
    private static double moved(TreeMap<Long, Long> events, long from, long to, boolean countEvents) {
        Map<Long, Long> in = events.subMap(from, false, to, true);
        return countEvents ? in.size() : in.values().stream().mapToLong(Long::longValue).sum();
    }

    private void record(Endpoint row, long bytes) {
        ExchangeTallyDriver.complete(stats, row, 0, bytes);
    }

    private void tickEvery5sUntil(long until) {
        for (long t = ticker.getAsLong(); t <= until; t += TICK) {
            ticker.set(t);
            stats.sampleRates();
        }
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
