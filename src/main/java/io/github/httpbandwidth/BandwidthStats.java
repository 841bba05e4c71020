package io.github.httpbandwidth;

import io.undertow.server.HttpServerExchange;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
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

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private static final Comparator<EndpointSnapshot> BUSIEST_FIRST =
            Comparator.comparingLong((EndpointSnapshot e) -> e.bytesReceived() + e.bytesSent()).reversed()
                    .thenComparing(EndpointSnapshot::endpoint);

    /*
     * Every counter is a slot of one StripedCounters: exchanges started, the request and the response size
     * histograms, then three slots per endpoint row (bytes received, bytes sent, requests) by row index.
     */
    private static final int STARTED = 0;
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
    private final MBeanPublisher publisher = new MBeanPublisher();

    private BandwidthStats(Builder builder) {
        this.name = builder.name;
        this.clock = builder.clock;
        this.startTimeMillis = clock.millis();
        this.endpoints = new EndpointTable(builder.classifier, builder.endpointCap);
        int histogramWidth = SizeHistogram.width(builder.sizeBuckets);
        this.requestSizes = new SizeHistogram(builder.sizeBuckets, STARTED + 1);
        this.responseSizes = new SizeHistogram(builder.sizeBuckets, STARTED + 1 + histogramWidth);
        this.rowsBase = STARTED + 1 + 2 * histogramWidth;
        // Room for a few rows at first; a thread's cell grows when it first counts for a later row.
        this.counters = new StripedCounters(rowsBase + 8 * ROW_WIDTH,
                rowsBase + EndpointTable.maxRows(builder.endpointCap) * ROW_WIDTH);
        this.rates = new RateTracker(3, startTimeMillis);
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
        counters.sumInto(sums, STARTED + 1, sums.length);
        // Read after everything else: every completion counted above had already been counted as started.
        counters.sumInto(sums, STARTED, STARTED + 1);

        HistogramSnapshot requestSnapshot = requestSizes.snapshot(sums);
        HistogramSnapshot responseSnapshot = responseSizes.snapshot(sums);
        List<EndpointSnapshot> rows = new ArrayList<>(names.length);
        long bytesReceived = 0;
        long bytesSent = 0;
        for (int i = 0; i < names.length; i++) {
            int slot = rowsBase + i * ROW_WIDTH;
            EndpointSnapshot row = new EndpointSnapshot(names[i], sums[slot + ROW_BYTES_RECEIVED],
                    sums[slot + ROW_BYTES_SENT], sums[slot + ROW_REQUESTS]);
            bytesReceived += row.bytesReceived();
            bytesSent += row.bytesSent();
            rows.add(row);
        }
        long overflowRequests = rows.get(1).requests();
        rows.sort(BUSIEST_FIRST);
        long requests = requestSnapshot.count();
        Rate[] rate = rates.update(clock.millis(), bytesReceived, bytesSent, requests);
        return new BandwidthSnapshot(startTimeMillis, bytesReceived, bytesSent, requests,
                sums[STARTED] - requests, requestSnapshot, responseSnapshot, rate[0], rate[1], rate[2],
                rows, endpoints.cap(), overflowRequests, endpoints.classifierErrors());
    }

    /**
     * Registers this instance's MBean under {@link #objectName()}. Idempotent per server.
     *
     * @throws IllegalStateException when another MBean already holds that name
     */
    public ObjectName registerMBean(MBeanServer server) {
        return publisher.register(this, server);
    }

    /** Unregisters every MBean {@link #registerMBean} registered. Counting goes on; calling it again is harmless. */
    @Override
    public void close() {
        publisher.unregisterAll();
    }

    /** How many per-thread counter rows are live (tests). */
    int counterCells() {
        return counters.cellCount();
    }

    /** The calling thread's counters; use them only on that thread. */
    StripedCounters.Cell cell() {
        return counters.cell();
    }

    void exchangeStarted(StripedCounters.Cell cell) {
        cell.add(STARTED, 1);
    }

    Endpoint endpointOf(HttpServerExchange exchange) {
        return endpoints.resolve(exchange);
    }

    void received(StripedCounters.Cell cell, Endpoint endpoint, long bytes) {
        cell.add(rowsBase + endpoint.index * ROW_WIDTH + ROW_BYTES_RECEIVED, bytes);
    }

    void sent(StripedCounters.Cell cell, Endpoint endpoint, long bytes) {
        cell.add(rowsBase + endpoint.index * ROW_WIDTH + ROW_BYTES_SENT, bytes);
    }

    void exchangeCompleted(StripedCounters.Cell cell, Endpoint endpoint, long bodyBytesReceived, long bodyBytesSent) {
        requestSizes.record(cell, bodyBytesReceived);
        responseSizes.record(cell, bodyBytesSent);
        cell.add(rowsBase + endpoint.index * ROW_WIDTH + ROW_REQUESTS, 1);
    }

    /** Options for a {@link BandwidthStats}; every one has a default. */
    public static final class Builder {
        private String name = "default";
        private int endpointCap = DEFAULT_ENDPOINT_CAP;
        private EndpointClassifier classifier = EndpointClassifier.routeTemplate();
        private SizeBuckets sizeBuckets = SizeBuckets.defaultLayout();
        private Clock clock = Clock.systemUTC();

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
         * Default: 0 and the powers of 4 from 1 B to 1 GiB.
         *
         * @throws IllegalArgumentException unless 1 to 64 bounds, each {@code >= 0}, strictly increasing
         */
        public Builder sizeBuckets(long... upperBoundsBytes) {
            this.sizeBuckets = SizeBuckets.of(upperBoundsBytes);
            return this;
        }

        /** The clock for the start time and the rates; tests inject one they can move. Default UTC system. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public BandwidthStats build() {
            return new BandwidthStats(this);
        }
    }
}
