package io.github.httpbandwidth;

import io.undertow.server.ConduitWrapper;
import io.undertow.server.Connectors;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.ConduitFactory;
import io.undertow.util.Methods;
import org.xnio.conduits.StreamSinkConduit;
import org.xnio.conduits.StreamSourceConduit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The body bytes of one exchange: adds them to the totals as they move, and records the exchange on its endpoint
 * row once, when it completes.
 *
 * <p>The endpoint is named at completion, by then every handler (a router behind a body-reading handler
 * included) has run, so the classifier is asked once per exchange. Each direction is written by one thread at a
 * time; HTTP/2 may read the request on an IO thread while a worker writes the response, so each direction keeps
 * its own field, written with release and read with acquire at completion.
 */
final class ExchangeTally implements ByteTally, ExchangeCompletionListener, ConduitWrapper<StreamSinkConduit> {

    private static final VarHandle BYTES_RECEIVED = field("bytesReceived");
    private static final VarHandle BYTES_SENT = field("bytesSent");

    private final BandwidthStats stats;
    private final HttpServerExchange exchange;
    private StripedCounters.Cell cell;
    /** The thread inside a response write, if any; only that thread compares itself with it. */
    private Thread writer;
    /** Set by a completion that arrived inside {@link #writer}'s write; recorded when the write ends. */
    private boolean completionDeferred;
    @SuppressWarnings("unused") // through BYTES_RECEIVED
    private long bytesReceived;
    @SuppressWarnings("unused") // through BYTES_SENT
    private long bytesSent;

    ExchangeTally(BandwidthStats stats, HttpServerExchange exchange) {
        this.stats = stats;
        this.exchange = exchange;
    }

    void started() {
        stats.exchangeStarted(cell());
    }

    @Override
    public void received(long bytes) {
        if (bytes > 0) {
            BYTES_RECEIVED.setRelease(this, (long) BYTES_RECEIVED.get(this) + bytes);
            stats.received(cell(), bytes);
        }
    }

    @Override
    public void sending() {
        writer = Thread.currentThread();
    }

    @Override
    public void sent(long bytes) {
        if (bytes > 0) {
            BYTES_SENT.setRelease(this, (long) BYTES_SENT.get(this) + bytes);
            stats.sent(cell(), bytes);
        }
        writer = null;
        if (completionDeferred) {
            completionDeferred = false;
            complete();
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
            if (writer == Thread.currentThread()) {
                // Completed inside a write that is failing (the client went away): its bytes are only known when
                // the write ends, and must be in the exchange's size.
                completionDeferred = true;
            } else {
                complete();
            }
        } finally {
            nextListener.proceed();
        }
    }

    private void complete() {
        Endpoint endpoint = stats.endpointOf(exchange);
        stats.exchangeCompleted(cell(), endpoint, (long) BYTES_RECEIVED.getAcquire(this),
                (long) BYTES_SENT.getAcquire(this));
        if (exchange.isUpgrade()) {
            // Before the next listener: the last one hands the connection to the upgrade listener.
            UpgradeTally.attach(stats, endpoint, exchange);
        }
    }

    /** The current thread's counters: the exchange may move between an IO thread and a worker thread. */
    private StripedCounters.Cell cell() {
        StripedCounters.Cell c = stats.cell(cell);
        cell = c;
        return c;
    }

    private static VarHandle field(String name) {
        try {
            return MethodHandles.lookup().findVarHandle(ExchangeTally.class, name, long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
