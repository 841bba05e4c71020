package io.github.httpbandwidth;

import io.undertow.server.ConduitWrapper;
import io.undertow.server.Connectors;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.ConduitFactory;
import io.undertow.util.Methods;
import org.xnio.conduits.StreamSinkConduit;
import org.xnio.conduits.StreamSourceConduit;

/**
 * The body bytes of one exchange: adds them to the endpoint row as they move, and records the exchange once
 * when it completes.
 *
 * <p>Not thread-safe, and need not be: Undertow lets one thread at a time work on an exchange, and hands the
 * exchange between threads with a happens-before edge.
 */
final class ExchangeTally implements ExchangeCompletionListener, ConduitWrapper<StreamSinkConduit> {

    private final BandwidthStats stats;
    private final HttpServerExchange exchange;
    private StripedCounters.Cell cell;
    private Endpoint endpoint;
    private long bytesReceived;
    private long bytesSent;

    ExchangeTally(BandwidthStats stats, HttpServerExchange exchange) {
        this.stats = stats;
        this.exchange = exchange;
    }

    void started() {
        stats.exchangeStarted(cell());
    }

    void received(long bytes) {
        if (bytes > 0) {
            bytesReceived += bytes;
            stats.received(cell(), endpoint(), bytes);
        }
    }

    void sent(long bytes) {
        if (bytes > 0) {
            bytesSent += bytes;
            stats.sent(cell(), endpoint(), bytes);
        }
    }

    /** The wrapper for the request channel; only asked for when the request has a body. */
    ConduitWrapper<StreamSourceConduit> requestWrapper() {
        return (factory, ignored) -> new CountingSourceConduit(factory.create(), this);
    }

    @Override
    public StreamSinkConduit wrap(ConduitFactory<StreamSinkConduit> factory, HttpServerExchange ignored) {
        StreamSinkConduit next = factory.create();
        // Called from getResponseChannel(), after which status and method are fixed. Undertow discards what
        // is written for a bodiless response, so such bytes never leave and are not counted.
        if (exchange.getRequestMethod().equals(Methods.HEAD) || !Connectors.isEntityBodyAllowed(exchange)) {
            return next;
        }
        return new CountingSinkConduit(next, this);
    }

    @Override
    public void exchangeEvent(HttpServerExchange completed, NextListener nextListener) {
        try {
            stats.exchangeCompleted(cell(), endpoint(), bytesReceived, bytesSent);
        } finally {
            nextListener.proceed();
        }
    }

    /** The current thread's counters: the exchange may move between an IO thread and a worker thread. */
    private StripedCounters.Cell cell() {
        StripedCounters.Cell c = cell;
        if (c == null || !c.ownedByCurrentThread()) {
            c = stats.cell();
            cell = c;
        }
        return c;
    }

    /** Decided once, when the first body byte moves or at completion: after routing in a usual handler chain. */
    private Endpoint endpoint() {
        Endpoint row = endpoint;
        if (row == null) {
            row = stats.endpointOf(exchange);
            endpoint = row;
        }
        return row;
    }
}
