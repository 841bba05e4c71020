package io.github.httpbandwidth;

import io.undertow.server.ConduitWrapper;
import io.undertow.server.Connectors;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.ConduitFactory;
import io.undertow.util.Methods;
import org.xnio.conduits.Conduit;
import org.xnio.conduits.StreamSinkConduit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The body bytes of one exchange: adds them to the totals as they move, and records the exchange on its endpoint
 * row once, when it completes. It is also the exchange's response conduit and the wrapper that installs it, so a
 * request costs one object here (Undertow's own allocation per request is about 1.7 kB).
 *
 * <p>The endpoint is named at completion: by then every handler, a router behind a body-reading handler included,
 * has run, so the classifier is asked once per exchange. Each direction is written by one thread at a time; HTTP/2
 * may read the request on an IO thread while a worker writes the response, so each direction keeps its own field,
 * written with release and read with acquire at completion.
 *
 * <p>A body that passes the in-flight threshold lists its exchange in {@link InFlightTransfers} once, and the
 * completion takes it off again; below the threshold that costs one comparison per read or write. When the list
 * is full, the exchange tries again at each read or write until there is room.
 *
 * <p>The tally reaches its stats through its counter cell, which belongs to them, so that it can hold its exchange
 * (for the in-flight list) and still take 48 bytes.
 *
 * <p>An exchange that passes through the same handler twice (a {@code restart}) gets a second tally, whose
 * wrappers find the first one's conduit below them: the second tally then neither wraps nor records, so the
 * exchange counts once without a per-request attachment.
 */
final class ExchangeTally extends CountingSinkConduit
        implements ByteTally, ExchangeCompletionListener, ConduitWrapper<StreamSinkConduit> {

    private static final VarHandle BYTES_RECEIVED = field("bytesReceived");
    private static final VarHandle BYTES_SENT = field("bytesSent");
    /**
     * For virtual threads, whose cell is shared: what {@link StripedCounters.Cell#reading} holds for a thread with a
     * cell of its own. Set to {@code null}, not removed, after a read: a thread's later reads then reuse its entry.
     */
    private static final ThreadLocal<ExchangeTally> READING_ON_SHARED_CELL = new ThreadLocal<>();

    /** Never null: the counters of the thread that created the tally, or of the one that last counted. */
    private StripedCounters.Cell cell;
    private final HttpServerExchange exchange;
    /**
     * The thread inside a response write, if any (only that thread compares itself with it); or, once the exchange
     * completed inside that write, the exchange, whose completion the write's end then records. One field for
     * both keeps the tally at 48 bytes.
     */
    private Object writer;
    /** A bodiless response (HEAD, 1xx, 204, 304): Undertow discards what is written, nothing leaves. */
    private boolean bodiless;
    /** This exchange is counted by an earlier tally of the same stats. */
    private boolean repeated;
    /** The exchange completed inside a read of its request body (see {@link #reading}): the read's end records it. */
    private boolean completedInRead;
    /**
     * Its body passed the in-flight threshold while the list was full: it tries again as its bytes move. Shared by
     * both directions, which HTTP/2 may move on two threads: a race between them costs at most a try more.
     */
    private boolean waitingForRoom;
    @SuppressWarnings("unused") // through BYTES_RECEIVED
    private long bytesReceived;
    @SuppressWarnings("unused") // through BYTES_SENT
    private long bytesSent;

    /** Counts the exchange as started on the calling thread. */
    ExchangeTally(BandwidthStats stats, HttpServerExchange exchange) {
        this.cell = stats.cell();
        this.exchange = exchange;
        stats.exchangeStarted(cell);
    }

    /**
     * Marks the calling thread as inside a read of this exchange's body, so that a completion inside that read (on
     * this thread: Undertow's chunked decoder ends the exchange when a body it drains reaches its last chunk) waits
     * for the read's bytes. In the thread's own cell; a virtual thread, whose cell is shared, in a thread-local.
     */
    @Override
    public void reading() {
        StripedCounters.Cell c = cell();
        if (c.ownerThread() != null) {
            c.reading(this);
        } else {
            READING_ON_SHARED_CELL.set(this);
        }
    }

    /** Whether the calling thread, whose cell is {@code c}, is inside a read of this exchange's body. */
    private boolean inRead(StripedCounters.Cell c) {
        return c.ownerThread() != null ? c.reading() == this : READING_ON_SHARED_CELL.get() == this;
    }

    @Override
    public void received(long bytes) {
        StripedCounters.Cell c = cell();
        if (bytes > 0) {
            long total = (long) BYTES_RECEIVED.get(this) + bytes;
            BYTES_RECEIVED.setRelease(this, total);
            BandwidthStats stats = stats(c);
            stats.received(c, bytes);
            long threshold = stats.inFlightThresholdBytes();
            if (total >= threshold && (total - bytes < threshold || waitingForRoom)) {
                waitingForRoom = !stats.passedInFlightThreshold(this, exchange, true);
            }
        }
        if (inRead(c)) {
            if (c.ownerThread() != null) {
                c.reading(null);
            } else {
                READING_ON_SHARED_CELL.set(null);
            }
            if (completedInRead) {
                completedInRead = false;
                completeAfterListeners(exchange);
            }
        }
    }

    /** Request body bytes received so far; any thread. */
    long bytesReceived() {
        return (long) BYTES_RECEIVED.getAcquire(this);
    }

    /** Response body bytes sent so far; any thread. */
    long bytesSent() {
        return (long) BYTES_SENT.getAcquire(this);
    }

    @Override
    void sending() {
        writer = Thread.currentThread();
    }

    @Override
    void sent(long bytes) {
        if (bytes > 0 && !bodiless) {
            long total = (long) BYTES_SENT.get(this) + bytes;
            BYTES_SENT.setRelease(this, total);
            StripedCounters.Cell c = cell();
            BandwidthStats stats = stats(c);
            stats.sent(c, bytes);
            long threshold = stats.inFlightThresholdBytes();
            if (total >= threshold && (total - bytes < threshold || waitingForRoom)) {
                waitingForRoom = !stats.passedInFlightThreshold(this, exchange, false);
            }
        }
        Object completedInside = writer;
        writer = null;
        if (completedInside instanceof HttpServerExchange exchange) {
            completeAfterListeners(exchange);
        }
    }

    @Override
    public boolean countedBelow(Conduit below) {
        ExchangeTally other = below instanceof ExchangeTally t ? t
                : below instanceof CountingSourceConduit c && c.tally() instanceof ExchangeTally t ? t : null;
        if (other != null && other.cell.countersOwner() == cell.countersOwner()) {
            repeated = true;
        }
        return repeated;
    }

    @Override
    public StreamSinkConduit wrap(ConduitFactory<StreamSinkConduit> factory, HttpServerExchange exchange) {
        StreamSinkConduit below = factory.create();
        if (countedBelow(below)) {
            return below;
        }
        // Called from getResponseChannel(), after which status and method are fixed.
        bodiless = exchange.getRequestMethod().equals(Methods.HEAD) || !Connectors.isEntityBodyAllowed(exchange);
        if (bodiless && exchange.isUpgrade()) {
            // A 101: its upgrade listener is set, and the connection is handed to it when the exchange completes.
            UpgradeTally.interceptHandOver(exchange);
        }
        next = below;
        return this;
    }

    @Override
    public void exchangeEvent(HttpServerExchange exchange, NextListener nextListener) {
        try {
            if (repeated) {
                StripedCounters.Cell c = cell();
                stats(c).exchangeRepeated(c);
            } else if (inRead(cell())) {
                // Completed inside a read of its body on this thread: those bytes are only known when the read
                // ends, and must be on the exchange's row and in its size.
                completedInRead = true;
            } else if (writer == Thread.currentThread()) {
                // Completed inside a write that is failing (the client went away): its bytes are only known when
                // the write ends, and must be in the exchange's size.
                writer = exchange;
            } else {
                complete(exchange);
            }
        } finally {
            nextListener.proceed();
        }
        if (exchange.isUpgrade()) {
            // The last listener handed the connection over (see UpgradeTally): its counting starts now.
            UpgradeTally.handedOver(exchange);
        }
    }

    /** A completion held back by a read or a write that ended after the completion listeners had all run. */
    private void completeAfterListeners(HttpServerExchange exchange) {
        complete(exchange);
        UpgradeTally.handedOver(exchange);
    }

    private void complete(HttpServerExchange exchange) {
        StripedCounters.Cell c = cell();
        BandwidthStats stats = stats(c);
        Endpoint endpoint = stats.endpointOf(exchange);
        long received = (long) BYTES_RECEIVED.getAcquire(this);
        long sent = (long) BYTES_SENT.getAcquire(this);
        stats.exchangeCompleted(c, endpoint, exchange, received, sent);
        if (Math.max(received, sent) >= stats.inFlightThresholdBytes()) {
            stats.inFlightCompleted(this);
        }
        if (exchange.isUpgrade()) {
            // Opened before the next listener: the last one hands the connection to the upgrade listener.
            UpgradeTally.attach(stats, endpoint, exchange);
        }
    }

    /** The current thread's counters: the exchange may move between an IO thread and a worker thread. */
    private StripedCounters.Cell cell() {
        StripedCounters.Cell c = cell.forCurrentThread();
        cell = c;
        return c;
    }

    private static BandwidthStats stats(StripedCounters.Cell cell) {
        return (BandwidthStats) cell.countersOwner();
    }

    private static VarHandle field(String name) {
        try {
            return MethodHandles.lookup().findVarHandle(ExchangeTally.class, name, long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
