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
 * <p>Thread-safe. Per exchange it adds a completion listener and conduit wrappers: one object for a request without
 * a body, two with one. Bodiless responses (HEAD, 1xx, 204, 304) count 0 bytes out. An exchange that passes
 * through it again (a {@code restart}, or any handler that runs the chain again) is counted once.
 *
 * <p>Stability: the constructor, {@link #monitor}, {@link #wrapper} and {@link #stats()} are the supported API;
 * what is counted may get more exact in a minor version, never less.
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
        ExchangeTally tally = new ExchangeTally(stats, exchange);
        exchange.addExchangeCompleteListener(tally);
        // A handler placed outside this one may already have taken a channel; adding a wrapper then would
        // throw, and counting must never fail a request, so that side simply goes uncounted.
        if (!exchange.isRequestComplete() && exchange.isRequestChannelAvailable()) {
            exchange.addRequestWrapper(new CountingSourceConduit(tally));
        }
        // Always wrapped, also for bodiless responses: a second pass of the same exchange (a restart) finds this
        // tally below its own and counts nothing twice.
        if (exchange.isResponseChannelAvailable()) {
            exchange.addResponseWrapper(tally);
        }
        next.handleRequest(exchange);
    }
}
