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
    private EndpointCounters endpoint;
    private long bytesReceived;
    private long bytesSent;

    ExchangeTally(BandwidthStats stats, HttpServerExchange exchange) {
        this.stats = stats;
        this.exchange = exchange;
    }

    void received(long bytes) {
        if (bytes > 0) {
            bytesReceived += bytes;
            endpoint().bytesReceived.add(bytes);
        }
    }

    void sent(long bytes) {
        if (bytes > 0) {
            bytesSent += bytes;
            endpoint().bytesSent.add(bytes);
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
            stats.exchangeCompleted(endpoint(), bytesReceived, bytesSent);
        } finally {
            nextListener.proceed();
        }
    }

    /** Decided once, when the first body byte moves or at completion: after routing in a usual handler chain. */
    private EndpointCounters endpoint() {
        EndpointCounters row = endpoint;
        if (row == null) {
            row = stats.endpointOf(exchange);
            endpoint = row;
        }
        return row;
    }
}
