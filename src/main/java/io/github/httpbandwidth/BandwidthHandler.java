package io.github.httpbandwidth;

import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.HandlerWrapper;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.util.Objects;

/**
 * Counts the body bytes of every exchange that passes through it into a {@link BandwidthStats}, then hands the
 * exchange to the next handler.
 *
 * <pre>{@code
 * // one line: counts everything under "api" and publishes
 * // io.github.httpbandwidth:type=BandwidthStats,name=api in the platform MBeanServer
 * HttpHandler root = BandwidthHandler.monitor("api", routes);
 * }</pre>
 *
 * <p>Put it outermost, before anything reads the request or starts the response: Undertow only lets conduit
 * wrappers be added before the channels exist, and an outer handler that rejects requests (401, 413) would
 * otherwise keep them out of the figures. Handlers nested inside it (compression, for example) are measured as
 * they write: an {@code EncodingHandler} inside it means compressed bytes are counted.
 *
 * <p>Thread-safe. Per exchange it adds a completion listener and conduit wrappers: one object for a request without
 * a body, two with one. Bodiless responses (HEAD, 1xx, 204, 304) count 0 bytes out. An exchange that passes
 * through it again (a {@code restart}, or any handler that runs the chain again) is counted once.
 *
 * <p>Stability: the constructor, {@link #monitor}, {@link #wrapper} and {@link #stats()} are the supported API;
 * what is counted may get more exact in a minor version, never less.
 */
public final class BandwidthHandler implements HttpHandler {

    /**
     * Undertow's key for the bytes of a request body read before the handlers ran ({@code BUFFERED_REQUEST_DATA},
     * not public: read once by reflection); {@code null} where it cannot be had, and then such bodies go
     * uncounted as before.
     */
    private static final AttachmentKey<PooledByteBuffer[]> BODY_READ_BEFORE = bodyReadBeforeKey();

    private final BandwidthStats stats;
    private final HttpHandler next;

    public BandwidthHandler(BandwidthStats stats, HttpHandler next) {
        this.stats = Objects.requireNonNull(stats, "stats");
        this.next = Objects.requireNonNull(next, "next");
    }

    /**
     * A handler counting into a new {@link BandwidthStats} named {@code name}, whose MBean is registered in the
     * platform MBeanServer; {@code stats().close()} unregisters it.
     *
     * @throws IllegalArgumentException when the name is not allowed (see {@link BandwidthStats.Builder#name})
     * @throws IllegalStateException when an MBean of that name is already registered
     */
    public static BandwidthHandler monitor(String name, HttpHandler next) {
        BandwidthStats stats = BandwidthStats.builder().name(name).build();
        stats.registerMBean(ManagementFactory.getPlatformMBeanServer());
        return new BandwidthHandler(stats, next);
    }

    /** For {@code Undertow.builder()} and deployment chains: wraps any handler with counting into {@code stats}. */
    public static HandlerWrapper wrapper(BandwidthStats stats) {
        Objects.requireNonNull(stats, "stats");
        return handler -> new BandwidthHandler(stats, handler);
    }

    public BandwidthStats stats() {
        return stats;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        ExchangeTally tally = new ExchangeTally(stats, exchange);
        exchange.addExchangeCompleteListener(tally);
        // A handler placed outside this one may already have taken a channel; adding a wrapper then would
        // throw, and counting must never fail a request, so that side simply goes uncounted.
        if (exchange.isRequestChannelAvailable()) {
            if (!exchange.isRequestComplete()) {
                exchange.addRequestWrapper(new CountingSourceConduit(tally));
            }
            countBodyReadBefore(exchange, tally);
        }
        // Always wrapped, also for bodiless responses: a second pass of the same exchange (a restart) finds this
        // tally below its own and counts nothing twice.
        if (exchange.isResponseChannelAvailable()) {
            exchange.addResponseWrapper(tally);
        }
        next.handleRequest(exchange);
    }

    /**
     * A request whose whole body was read before any handler ran and is handed to the application as bytes already
     * read ({@code HttpServerExchange.BUFFERED_REQUEST_DATA}), which the exchange's channel gives out above every
     * conduit wrapper: the body of an HTTP/1.1 request that carried an h2c upgrade, replayed on stream 1 (the JDK
     * client's POST on a new connection to {@code http://}).
     * Those bytes have arrived; they count now, once per exchange and stats, whether or not the application reads
     * them. Only while no handler has taken the request channel: once one has (a handler outside this one, or an
     * earlier pass of the exchange, whose conduit already counted what it read), the request side is left as the
     * class description says.
     */
    private void countBodyReadBefore(HttpServerExchange exchange, ExchangeTally tally) {
        if (BODY_READ_BEFORE == null) {
            return;
        }
        PooledByteBuffer[] read = exchange.getAttachment(BODY_READ_BEFORE);
        if (read == null || exchange.getAttachment(stats.bodyReadBeforeCounted) != null) {
            return;
        }
        long bytes = 0;
        for (PooledByteBuffer buffer : read) {
            if (buffer != null && buffer.isOpen()) {
                bytes += buffer.getBuffer().remaining();
            }
        }
        exchange.putAttachment(stats.bodyReadBeforeCounted, Boolean.TRUE);
        tally.received(bytes);
    }

    @SuppressWarnings("unchecked")
    private static AttachmentKey<PooledByteBuffer[]> bodyReadBeforeKey() {
        try {
            Field key = HttpServerExchange.class.getDeclaredField("BUFFERED_REQUEST_DATA");
            key.setAccessible(true);
            return (AttachmentKey<PooledByteBuffer[]>) key.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
