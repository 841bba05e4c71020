package io.github.httpbandwidth;

import io.undertow.server.HandlerWrapper;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

import java.lang.management.ManagementFactory;
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
 * <p>Thread-safe. Per exchange it adds an attachment, a completion listener and conduit wrappers; requests without a
 * body get no request wrapper, and bodiless responses (HEAD, 1xx, 204, 304) no counting conduit. An exchange that
 * passes through it again (a {@code restart}) is counted once.
 */
public final class BandwidthHandler implements HttpHandler {

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
        // A handler chain run again on the same exchange (the predicate language's restart, a dispatch back to
        // the root) must not count it twice; a second BandwidthStats has its own key and counts it once too.
        if (exchange.getAttachment(stats.tallyKey()) != null) {
            next.handleRequest(exchange);
            return;
        }
        ExchangeTally tally = new ExchangeTally(stats, exchange);
        exchange.putAttachment(stats.tallyKey(), tally);
        exchange.addExchangeCompleteListener(tally);
        tally.started();
        // A handler placed outside this one may already have taken a channel; adding a wrapper then would
        // throw, and counting must never fail a request, so that side simply goes uncounted.
        if (!exchange.isRequestComplete() && exchange.isRequestChannelAvailable()) {
            exchange.addRequestWrapper(tally.requestWrapper());
        }
        if (exchange.isResponseChannelAvailable()) {
            exchange.addResponseWrapper(tally);
        }
        next.handleRequest(exchange);
    }
}
