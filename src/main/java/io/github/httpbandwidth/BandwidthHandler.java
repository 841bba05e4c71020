package io.github.httpbandwidth;

import io.undertow.channels.DetachableStreamSourceChannel;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.HandlerWrapper;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import org.xnio.channels.StreamSourceChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;
import org.xnio.conduits.StreamSourceConduit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 * they write: an {@code EncodingHandler} inside it means compressed bytes are counted. An outer handler that reads
 * the request body and hands it back ({@code RequestBufferingHandler}) is fine: the body is counted whole.
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

    /**
     * Undertow's fields for the exchange's request channel ({@code null} until a handler takes it) and the channel
     * below it, whose conduit a reset channel is read from; {@code null} where they cannot be had (then a reset
     * channel's rest goes uncounted).
     */
    private static final VarHandle REQUEST_CHANNEL = field(HttpServerExchange.class, "requestChannel");
    private static final VarHandle CHANNEL_BELOW = field(DetachableStreamSourceChannel.class, "delegate");

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
        // A handler placed outside this one may already have taken the request channel and kept it: that side
        // then goes uncounted (adding a wrapper would throw, and counting must never fail a request).
        if (exchange.isRequestChannelAvailable()) {
            countRequestBody(exchange, tally);
        }
        // Always wrapped, also for bodiless responses: a second pass of the same exchange (a restart) finds this
        // tally below its own and counts nothing twice.
        if (exchange.isResponseChannelAvailable()) {
            exchange.addResponseWrapper(tally);
        }
        next.handleRequest(exchange);
    }

    /**
     * Counts the request body of an exchange whose request channel is free: never taken (the usual case: a conduit
     * wrapper), or taken by a handler outside this one and handed back with a reset (Undertow's
     * {@code RequestBufferingHandler}, or its h2c upgrade giving up on a body too large to buffer), after which
     * Undertow refuses new wrappers: then the bytes it read count as bytes already read, and the rest of the body is
     * counted below the channel it will be read from.
     */
    private void countRequestBody(HttpServerExchange exchange, ExchangeTally tally) {
        StreamSourceChannel taken = REQUEST_CHANNEL == null ? null : (StreamSourceChannel) REQUEST_CHANNEL.get(exchange);
        if (taken == null) {
            if (!exchange.isRequestComplete()) {
                try {
                    exchange.addRequestWrapper(new CountingSourceConduit(tally));
                } catch (IllegalStateException reset) {
                    // Only where the field could not be read: a reset channel; its rest goes uncounted.
                }
            }
        } else if (CHANNEL_BELOW != null && CHANNEL_BELOW.get(taken) instanceof ConduitStreamSourceChannel channel) {
            StreamSourceConduit below = channel.getConduit();
            if (tally.countedBelow(below)) {
                // An earlier pass of this exchange counted what was read, the bytes handed back among them.
                return;
            }
            if (!exchange.isRequestComplete()) {
                channel.setConduit(new CountingSourceConduit(below, tally));
            }
        }
        countBodyReadBefore(exchange, tally);
    }

    /**
     * A request whose whole body was read before any handler ran and is handed to the application as bytes already
     * read ({@code HttpServerExchange.BUFFERED_REQUEST_DATA}), which the exchange's channel gives out above every
     * conduit wrapper: the body of an HTTP/1.1 request that carried an h2c upgrade, replayed on stream 1 (the JDK
     * client's POST on a new connection to {@code http://}), or bytes a handler outside this one read and handed
     * back before resetting the channel.
     * Those bytes have arrived; they count now, once per exchange and stats, whether or not the application reads
     * them. Not when an earlier pass of the exchange through this handler counted them as they were read (see
     * {@link #countRequestBody}).
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

    private static VarHandle field(Class<?> owner, String name) {
        try {
            Field field = owner.getDeclaredField(name);
            return MethodHandles.privateLookupIn(owner, MethodHandles.lookup()).unreflectVarHandle(field);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
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
