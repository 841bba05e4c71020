package io.github.httpbandwidth;

import io.undertow.server.HttpServerExchange;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * The HTTP body bandwidth of everything that passes through one {@link BandwidthHandler}: bytes in and out,
 * requests, body size histograms and per-endpoint rows, readable as a {@link BandwidthSnapshot} and published
 * as a JMX MBean.
 *
 * <pre>{@code
 * BandwidthStats stats = BandwidthStats.builder().name("api").build();
 * stats.registerMBean(ManagementFactory.getPlatformMBeanServer());
 * Undertow.builder()
 *         .addHttpListener(8080, "127.0.0.1")
 *         .setHandler(new BandwidthHandler(stats, routes))
 *         .build().start();
 * }</pre>
 *
 * <p>What is counted: request body bytes as the application (or Undertow's drain of an unread body) reads them,
 * after de-chunking; response body bytes as each write returns, after any compression done inside the handler,
 * before TLS; never headers or chunk framing. HEAD, 1xx, 204 and 304 responses have no body and count 0 bytes
 * out. Requests, and the size histograms, are recorded once per exchange when it completes, whatever its status.
 *
 * <p>Thread-safe and lock-free for request threads: each adds to counters that only it writes (no atomic
 * read-modify-write, no contention); readers sum them. See {@code StripedCounters}.
 *
 * <p>Stability: the builder's options, {@link #snapshot()}, {@link #registerMBean}, {@link #close()}, the ObjectName
 * and the MBean's attribute names and units are the supported API. New attributes may appear in a minor version;
 * none is renamed or removed without a major one (0.x: a minor one, said in the changelog).
 */
public final class BandwidthStats implements AutoCloseable {

    /** The JMX domain of every MBean this library registers. */
    public static final String JMX_DOMAIN = "io.github.httpbandwidth";
    /**
     * The default endpoint cap: generous for a service's route table (tens of templates), small enough that a
     * scrape of all rows through the JMX exporter stays cheap, and a hard bound on memory under a path flood.
     */
    public static final int DEFAULT_ENDPOINT_CAP = 256;
    /** The largest endpoint cap allowed. */
    public static final int MAX_ENDPOINT_CAP = 10_000;

    private static final LongSupplier SYSTEM_TICKER = System::nanoTime;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private static final Comparator<EndpointSnapshot> BUSIEST_FIRST =
            Comparator.comparingLong((EndpointSnapshot e) -> e.bytesReceived() + e.bytesSent()).reversed()
                    .thenComparing(EndpointSnapshot::endpoint);

    /*
     * Every counter is a slot of one StripedCounters: exchanges started, body bytes received and sent as they move,
     * upgraded connections opened and closed, second passes of an exchange through the handler (each also counted
     * as started), the request and the response size histograms, then three slots per
     * endpoint row (bytes received, bytes sent, requests) by row index.
     */
    private static final int STARTED = 0;
    private static final int BYTES_RECEIVED = 1;
    private static final int BYTES_SENT = 2;
    private static final int UPGRADES_OPENED = 3;
    private static final int UPGRADES_CLOSED = 4;
    private static final int REPEATED = 5;
    private static final int FIXED_SLOTS = 6;
    private static final int ROW_BYTES_RECEIVED = 0;
    private static final int ROW_BYTES_SENT = 1;
    private static final int ROW_REQUESTS = 2;
    private static final int ROW_WIDTH = 3;

    private final String name;
    private final Clock clock;
    private final long startTimeMillis;
    private final EndpointTable endpoints;
    private final SizeHistogram requestSizes;
    private final SizeHistogram responseSizes;
    private final int rowsBase;
    private final StripedCounters counters;
    private final RateTracker rates;
    private final LongSupplier ticker;
    private final boolean sampleInBackground;
    private RateSampler sampler;
    private final MBeanPublisher publisher = new MBeanPublisher();

    private BandwidthStats(Builder builder) {
        this.name = builder.name;
        this.clock = builder.clock;
        this.startTimeMillis = clock.millis();
        this.endpoints = new EndpointTable(builder.classifier, builder.endpointCap);
        int histogramWidth = SizeHistogram.width(builder.sizeBuckets);
        this.requestSizes = new SizeHistogram(builder.sizeBuckets, FIXED_SLOTS);
        this.responseSizes = new SizeHistogram(builder.sizeBuckets, FIXED_SLOTS + histogramWidth);
        this.rowsBase = FIXED_SLOTS + 2 * histogramWidth;
        // Room for a few rows at first; a thread's cell grows when it first counts for a later row.
        this.counters = new StripedCounters(rowsBase + 8 * ROW_WIDTH,
                rowsBase + EndpointTable.maxRows(builder.endpointCap) * ROW_WIDTH);
        this.ticker = builder.ticker;
        this.rates = new RateTracker(3, ticker.getAsLong());
        // An injected ticker is moved by its test, which takes the samples itself.
        this.sampleInBackground = builder.ticker == SYSTEM_TICKER;
        startSampler();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The instance name, the {@code name} key of the MBean's ObjectName. */
    public String name() {
        return name;
    }

    /** {@code io.github.httpbandwidth:type=BandwidthStats,name=<name>}. */
    public ObjectName objectName() {
        return MBeanPublisher.objectName(name);
    }

    /** Reads every counter once; see {@link BandwidthSnapshot} for what agrees with what. */
    public BandwidthSnapshot snapshot() {
        String[] names = endpoints.names();
        long[] sums = new long[rowsBase + names.length * ROW_WIDTH];
        // Rows and histograms first, then the live totals, then exchanges started: every completion counted is
        // then also counted as started, and every row byte is also in the totals.
        counters.sumInto(sums, FIXED_SLOTS, sums.length);
        counters.sumInto(sums, BYTES_RECEIVED, FIXED_SLOTS);
        counters.sumInto(sums, STARTED, BYTES_RECEIVED);

        HistogramSnapshot requestSnapshot = requestSizes.snapshot(sums);
        HistogramSnapshot responseSnapshot = responseSizes.snapshot(sums);
        List<EndpointSnapshot> rows = new ArrayList<>(names.length);
        for (int i = 0; i < names.length; i++) {
            int slot = rowsBase + i * ROW_WIDTH;
            rows.add(new EndpointSnapshot(names[i], sums[slot + ROW_BYTES_RECEIVED], sums[slot + ROW_BYTES_SENT],
                    sums[slot + ROW_REQUESTS]));
        }
        long bytesReceived = sums[BYTES_RECEIVED];
        long bytesSent = sums[BYTES_SENT];
        long overflowRequests = rows.get(1).requests();
        rows.sort(BUSIEST_FIRST);
        long requests = requestSnapshot.count();
        Rate[] rate = rates.rates(ticker.getAsLong(), new long[] {bytesReceived, bytesSent, requests});
        return new BandwidthSnapshot(startTimeMillis, bytesReceived, bytesSent, requests,
                sums[STARTED] - sums[REPEATED] - requests, sums[UPGRADES_OPENED] - sums[UPGRADES_CLOSED],
                requestSnapshot, responseSnapshot, rate[0], rate[1], rate[2],
                rows, endpoints.cap(), overflowRequests, endpoints.classifierErrors());
    }

    /**
     * Registers this instance's MBean under {@link #objectName()}. Idempotent per server. While an MBean of this
     * instance is registered, a background task samples its rates; it stops when the last one is unregistered,
     * by {@link #close()} or by anyone else.
     *
     * @throws IllegalStateException when another MBean already holds that name
     */
    public ObjectName registerMBean(MBeanServer server) {
        ObjectName name = publisher.register(this, server, false);
        startSampler();
        return name;
    }

    /**
     * As {@link #registerMBean}, but an MBean of the same name registered by an earlier copy of this library (the
     * same application's previous deployment, whose {@code undertow-handlers.conf} is parsed again) is replaced.
     */
    ObjectName registerMBeanReplacingEarlier(MBeanServer server) {
        ObjectName name = publisher.register(this, server, true);
        startSampler();
        return name;
    }

    /**
     * Unregisters every MBean {@link #registerMBean} registered and stops the background rate sampling. Counting
     * goes on (rates then move only when read); calling it again is harmless.
     */
    @Override
    public void close() {
        stopSampler();
        publisher.unregisterAll();
    }

    /** Its MBean in {@code server} was unregistered, by whoever: with none left, background sampling stops. */
    void mbeanUnregistered(MBeanServer server) {
        if (publisher.forget(server)) {
            stopSampler();
        }
    }

    /** Whether a background task samples the rates (tests). */
    synchronized boolean samplingInBackground() {
        return sampler != null;
    }

    private synchronized void stopSampler() {
        if (sampler != null) {
            sampler.cancel();
            sampler = null;
        }
    }

    private synchronized void startSampler() {
        if (sampleInBackground && sampler == null) {
            sampler = RateSampler.start(this);
        }
    }

    /** Keeps the current totals as this tick's rate sample, unless the tick has one already. */
    void sampleRates() {
        long[] totals = new long[rowsBase];
        counters.sumInto(totals, BYTES_RECEIVED, BYTES_SENT + 1);
        counters.sumInto(totals, FIXED_SLOTS, rowsBase);
        long requests = requestSizes.snapshot(totals).count();
        rates.sample(ticker.getAsLong(), new long[] {totals[BYTES_RECEIVED], totals[BYTES_SENT], requests});
    }

    /** How many per-thread counter rows are live (tests). */
    int counterCells() {
        return counters.cellCount();
    }

    /** The calling thread's counters; use them only on that thread. */
    StripedCounters.Cell cell() {
        return counters.cell(null);
    }

    /** {@code cached} when the calling thread owns it, else the calling thread's counters. */
    StripedCounters.Cell cell(StripedCounters.Cell cached) {
        return counters.cell(cached);
    }

    void exchangeStarted(StripedCounters.Cell cell) {
        cell.add(STARTED, 1);
    }

    Endpoint endpointOf(HttpServerExchange exchange) {
        return endpoints.resolve(exchange);
    }

    void received(StripedCounters.Cell cell, long bytes) {
        cell.add(BYTES_RECEIVED, bytes);
    }

    void sent(StripedCounters.Cell cell, long bytes) {
        cell.add(BYTES_SENT, bytes);
    }

    /** Puts a completed exchange's body bytes on its row, counts it, and records its sizes. */
    void exchangeCompleted(StripedCounters.Cell cell, Endpoint endpoint, long bodyBytesReceived, long bodyBytesSent) {
        int row = rowsBase + endpoint.index * ROW_WIDTH;
        cell.add(row + ROW_BYTES_RECEIVED, bodyBytesReceived);
        cell.add(row + ROW_BYTES_SENT, bodyBytesSent);
        requestSizes.record(cell, bodyBytesReceived);
        responseSizes.record(cell, bodyBytesSent);
        cell.add(row + ROW_REQUESTS, 1);
    }

    /** A second pass of an exchange already counted by this instance has completed. */
    void exchangeRepeated(StripedCounters.Cell cell) {
        cell.add(REPEATED, 1);
    }

    void upgradeOpened(StripedCounters.Cell cell) {
        cell.add(UPGRADES_OPENED, 1);
    }

    void upgradeClosed(StripedCounters.Cell cell) {
        cell.add(UPGRADES_CLOSED, 1);
    }

    /**
     * Bytes of an upgraded connection go to the totals and to the handshake's row at once: the total first, since
     * readers read rows before totals, so no read sees a row ahead of its total.
     */
    void upgradeReceived(StripedCounters.Cell cell, Endpoint endpoint, long bytes) {
        cell.add(BYTES_RECEIVED, bytes);
        cell.add(rowsBase + endpoint.index * ROW_WIDTH + ROW_BYTES_RECEIVED, bytes);
    }

    void upgradeSent(StripedCounters.Cell cell, Endpoint endpoint, long bytes) {
        cell.add(BYTES_SENT, bytes);
        cell.add(rowsBase + endpoint.index * ROW_WIDTH + ROW_BYTES_SENT, bytes);
    }

    /** Options for a {@link BandwidthStats}; every one has a default. */
    public static final class Builder {
        private String name = "default";
        private int endpointCap = DEFAULT_ENDPOINT_CAP;
        private EndpointClassifier classifier = EndpointClassifier.routeTemplate();
        private SizeBuckets sizeBuckets = SizeBuckets.defaultLayout();
        private Clock clock = Clock.systemUTC();
        private LongSupplier ticker = SYSTEM_TICKER;

        private Builder() {
        }

        /**
         * The {@code name} key of the ObjectName, so several handlers can publish separate MBeans.
         * Default {@code default}.
         *
         * @throws IllegalArgumentException unless 1 to 64 of {@code A-Z a-z 0-9 . _ -}
         */
        public Builder name(String name) {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("name: got " + (name == null ? "null" : '"' + name + '"')
                        + "; allowed are 1 to 64 characters of A-Z a-z 0-9 . _ -");
            }
            this.name = name;
            return this;
        }

        /**
         * How many named endpoint rows to keep; later names share the {@code (overflow)} row.
         * Default {@value BandwidthStats#DEFAULT_ENDPOINT_CAP}.
         *
         * @throws IllegalArgumentException unless 1 to {@value BandwidthStats#MAX_ENDPOINT_CAP}
         */
        public Builder endpointCap(int endpointCap) {
            if (endpointCap < 1 || endpointCap > MAX_ENDPOINT_CAP) {
                throw new IllegalArgumentException("endpointCap: got " + endpointCap + "; allowed are 1 to "
                        + MAX_ENDPOINT_CAP);
            }
            this.endpointCap = endpointCap;
            return this;
        }

        /** How exchanges are named. Default {@link EndpointClassifier#routeTemplate()}. */
        public Builder classifier(EndpointClassifier classifier) {
            this.classifier = Objects.requireNonNull(classifier, "classifier");
            return this;
        }

        /**
         * The finite upper bounds, in bytes, of both size histograms' buckets; {@code +Inf} is added.
         * Default: 0 and the powers of 2 from 1 B to 1 GiB (a bucket spans at most a factor of 2).
         *
         * @throws IllegalArgumentException unless 1 to 64 bounds, each {@code >= 0}, strictly increasing
         */
        public Builder sizeBuckets(long... upperBoundsBytes) {
            this.sizeBuckets = SizeBuckets.of(upperBoundsBytes);
            return this;
        }

        /** The wall clock for the start time; tests inject one they can move. Default UTC system. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Monotonic nanoseconds for the rates, in place of {@link System#nanoTime()}; for tests, which then take
         * the rate samples themselves through {@code sampleRates()}.
         */
        Builder ticker(LongSupplier nanoTime) {
            this.ticker = Objects.requireNonNull(nanoTime, "ticker");
            return this;
        }

        public BandwidthStats build() {
            return new BandwidthStats(this);
        }
    }
}
