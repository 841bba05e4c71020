package io.github.httpbandwidth;

import io.undertow.server.HttpServerExchange;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
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
 * <p>Thread-safe. Request threads only add to {@link LongAdder}s; readers do the summing.
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

    private final String name;
    private final Clock clock;
    private final long startTimeMillis;
    private final EndpointTable endpoints;
    private final SizeHistogram requestSizes;
    private final SizeHistogram responseSizes;
    private final LongAdder started = new LongAdder();
    private final RateTracker rates;
    private final MBeanPublisher publisher = new MBeanPublisher();

    private BandwidthStats(Builder builder) {
        this.name = builder.name;
        this.clock = builder.clock;
        this.startTimeMillis = clock.millis();
        this.endpoints = new EndpointTable(builder.classifier, builder.endpointCap);
        this.requestSizes = new SizeHistogram(builder.sizeBuckets);
        this.responseSizes = new SizeHistogram(builder.sizeBuckets);
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
        HistogramSnapshot requestSnapshot = requestSizes.snapshot();
        HistogramSnapshot responseSnapshot = responseSizes.snapshot();
        // Read after the histogram: every exchange counted there had already been counted as started.
        long startedCount = started.sum();
        List<EndpointSnapshot> rows = endpoints.snapshot();
        long bytesReceived = 0;
        long bytesSent = 0;
        long overflowRequests = 0;
        for (EndpointSnapshot row : rows) {
            bytesReceived += row.bytesReceived();
            bytesSent += row.bytesSent();
            if (row.endpoint().equals(EndpointTable.OVERFLOW)) {
                overflowRequests = row.requests();
            }
        }
        long requests = requestSnapshot.count();
        Rate[] rate = rates.update(clock.millis(), bytesReceived, bytesSent, requests);
        return new BandwidthSnapshot(startTimeMillis, bytesReceived, bytesSent, requests,
                startedCount - requests, requestSnapshot, responseSnapshot, rate[0], rate[1], rate[2],
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

    void exchangeStarted() {
        started.increment();
    }

    EndpointCounters endpointOf(HttpServerExchange exchange) {
        return endpoints.resolve(exchange);
    }

    void exchangeCompleted(EndpointCounters endpoint, long bodyBytesReceived, long bodyBytesSent) {
        requestSizes.record(bodyBytesReceived);
        responseSizes.record(bodyBytesSent);
        endpoint.requests.increment();
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
