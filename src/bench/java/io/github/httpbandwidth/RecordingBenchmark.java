package io.github.httpbandwidth;

import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.PathTemplateMatch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The cost of recording one exchange: its request and its response body size, one request, on one endpoint.
 *
 * <ul>
 *   <li>{@code bandwidthStats}: what BandwidthHandler does per exchange in BandwidthStats: the thread's
 *       counters, the start, the endpoint lookup through the default classifier, the two byte counts, the
 *       completion (two histogram records, the endpoint's status class, and the top clients, keyed by the
 *       remote address by default: see {@link #clients}).</li>
 *   <li>{@code bandwidthStatsEightRoutes}: the same with each thread's exchanges going to eight routes in turn.</li>
 *   <li>{@code bandwidthStatsWithTally}: the same through the per-exchange tally the handler allocates (its
 *       completion listener), to show that allocation too.</li>
 *   <li>{@code micrometer}: three Counters and two DistributionSummaries with byte-sized SLO buckets (powers of 2
 *       up to 1 GiB, like ours), meters registered once (no per-request tag lookup, which would cost more).</li>
 *   <li>{@code dropwizard}: three Meters and two Histograms (default reservoir).</li>
 * </ul>
 * Run with 1 and 2 threads and {@code -prof gc}: examples/benchmarks/jmh.sh.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RecordingBenchmark {

    private static final ExchangeCompletionListener.NextListener NOTHING_NEXT = () -> { };

    /**
     * The top clients' key: {@code address}, the default key, the remote address (this exchange has no connection,
     * so the key reads the source address set here; on a server a thread remembers the address of the last
     * connection it served, which costs about the same); {@code header}: X-Worker-Id, as the
     * example master keys (Undertow's header lookup, about 13 ns, comes with it); {@code off}: clientCapacity(0).
     */
    @Param({"address"})
    public String clients;

    /**
     * Where the route's router is mounted: {@code none}, or a path such as {@code /v1}, as
     * {@code Handlers.path().addPrefixPath("/v1", routes)} leaves it in the exchange's resolved path (the default
     * classifier then names the endpoint {@code /v1/jobs/{id}}).
     */
    @Param({"none"})
    public String mount;

    private BandwidthStats stats;
    private HttpServerExchange exchange;
    private HttpServerExchange[] exchanges;

    private Counter micrometerRequests;
    private Counter micrometerBytesIn;
    private Counter micrometerBytesOut;
    private DistributionSummary micrometerRequestSizes;
    private DistributionSummary micrometerResponseSizes;

    private Meter dropwizardRequests;
    private Meter dropwizardBytesIn;
    private Meter dropwizardBytesOut;
    private Histogram dropwizardRequestSizes;
    private Histogram dropwizardResponseSizes;

    /** Varying sizes per thread, so nothing is constant-folded and several buckets are hit. */
    @State(Scope.Thread)
    public static class Sizes {
        private static final long[] IN = {0, 0, 312, 16_384, 0, 2_048, 0, 70_000};
        private static final long[] OUT = {13, 65_536, 48, 1_200, 4_096, 0, 900_000, 256};
        private int i;

        long in() {
            return IN[i & 7];
        }

        long outAndNext() {
            return OUT[i++ & 7];
        }
    }

    @Setup
    public void setUp() {
        stats = BandwidthStats.builder().name("jmh")
                .clientKey(clients.equals("header") ? ClientKey.header("X-Worker-Id") : ClientKey.remoteAddress())
                .clientCapacity(clients.equals("off") ? 0 : ClientTable.DEFAULT_CAPACITY).build();
        exchange = new HttpServerExchange(null);
        exchange.setSourceAddress(new java.net.InetSocketAddress("10.0.0.17", 40_000));
        // Another instance than the lookups' own, as Undertow's parser makes for a header it does not know: the
        // lookup then compares the name's bytes.
        exchange.getRequestHeaders().put(new io.undertow.util.HttpString("X-Worker-Id"), "worker-17");
        exchange.putAttachment(PathTemplateMatch.ATTACHMENT_KEY, new PathTemplateMatch("/jobs/{id}", Map.of("id", "42")));
        if (!mount.equals("none")) {
            exchange.setResolvedPath(mount);
        }
        exchanges = new HttpServerExchange[8];
        exchanges[0] = exchange;
        for (int r = 1; r < exchanges.length; r++) {
            exchanges[r] = routed("/jobs/{id}/part" + r, mount);
        }
        for (int i = 0; i < 40; i++) {
            stats.endpointOf(named("/route/" + i));
        }

        SimpleMeterRegistry micrometer = new SimpleMeterRegistry();
        micrometerRequests = Counter.builder("requests").tag("endpoint", "/jobs/{id}").register(micrometer);
        micrometerBytesIn = Counter.builder("bytes").tag("direction", "inbound").register(micrometer);
        micrometerBytesOut = Counter.builder("bytes").tag("direction", "outbound").register(micrometer);
        // The same layout as ours, less the 0 bound Micrometer refuses (it counts 0 in the first bucket anyway):
        // 1 B to 1 GiB in powers of 2.
        double[] buckets = new double[31];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = Math.pow(2, i);
        }
        micrometerRequestSizes = DistributionSummary.builder("request.size").baseUnit("bytes")
                .serviceLevelObjectives(buckets).register(micrometer);
        micrometerResponseSizes = DistributionSummary.builder("response.size").baseUnit("bytes")
                .serviceLevelObjectives(buckets).register(micrometer);

        MetricRegistry dropwizard = new MetricRegistry();
        dropwizardRequests = dropwizard.meter("requests");
        dropwizardBytesIn = dropwizard.meter("bytes.in");
        dropwizardBytesOut = dropwizard.meter("bytes.out");
        dropwizardRequestSizes = dropwizard.histogram("request.size");
        dropwizardResponseSizes = dropwizard.histogram("response.size");
    }

    /** An exchange like {@link #exchange} on another route: its own template, the same source and header. */
    private static HttpServerExchange routed(String template, String mount) {
        HttpServerExchange e = new HttpServerExchange(null);
        e.setSourceAddress(new java.net.InetSocketAddress("10.0.0.17", 40_000));
        e.getRequestHeaders().put(new io.undertow.util.HttpString("X-Worker-Id"), "worker-17");
        e.putAttachment(PathTemplateMatch.ATTACHMENT_KEY, new PathTemplateMatch(template, Map.of("id", "42")));
        if (!mount.equals("none")) {
            e.setResolvedPath(mount);
        }
        return e;
    }

    private static HttpServerExchange named(String template) {
        HttpServerExchange e = new HttpServerExchange(null);
        e.putAttachment(PathTemplateMatch.ATTACHMENT_KEY, new PathTemplateMatch(template, Map.of()));
        return e;
    }

    @Benchmark
    public void bandwidthStats(Sizes sizes) {
        record(sizes, exchange);
    }

    /**
     * {@code bandwidthStats} with each thread's exchanges going to eight routes in turn, so that none has the route
     * of the one before it on its thread: the worst case of the lookup's memo of a thread's last route.
     */
    @Benchmark
    public void bandwidthStatsEightRoutes(Sizes sizes) {
        record(sizes, exchanges[sizes.i & 7]);
    }

    private void record(Sizes sizes, HttpServerExchange exchange) {
        long in = sizes.in();
        long out = sizes.outAndNext();
        StripedCounters.Cell cell = stats.cell();
        stats.exchangeStarted(cell);
        Endpoint endpoint = stats.endpointOf(exchange);
        stats.received(cell, in);
        stats.sent(cell, out);
        stats.exchangeCompleted(cell, endpoint, exchange, in, out);
    }

    @Benchmark
    public void bandwidthStatsWithTally(Sizes sizes) {
        long in = sizes.in();
        long out = sizes.outAndNext();
        ExchangeTally tally = new ExchangeTally(stats, exchange);
        tally.received(in);
        tally.sending();
        tally.sent(out);
        tally.exchangeEvent(exchange, NOTHING_NEXT);
    }

    private static final io.undertow.util.HttpString WORKER = new io.undertow.util.HttpString("X-Worker-Id");

    /** Only the lookup a header client key makes: Undertow's {@code HeaderMap.getFirst}, for comparison. */
    @Benchmark
    public String headerLookup() {
        return exchange.getRequestHeaders().getFirst(WORKER);
    }

    @Benchmark
    public void micrometer(Sizes sizes) {
        long in = sizes.in();
        long out = sizes.outAndNext();
        micrometerRequests.increment();
        micrometerBytesIn.increment(in);
        micrometerBytesOut.increment(out);
        micrometerRequestSizes.record(in);
        micrometerResponseSizes.record(out);
    }

    @Benchmark
    public void dropwizard(Sizes sizes) {
        long in = sizes.in();
        long out = sizes.outAndNext();
        dropwizardRequests.mark();
        dropwizardBytesIn.mark(in);
        dropwizardBytesOut.mark(out);
        dropwizardRequestSizes.update(in);
        dropwizardResponseSizes.update(out);
    }
}
