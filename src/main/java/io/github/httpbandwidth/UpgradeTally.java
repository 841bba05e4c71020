package io.github.httpbandwidth;

import io.undertow.server.AbstractServerConnection;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.HttpUpgradeListener;
import io.undertow.server.ServerConnection;
import io.undertow.server.protocol.http.HttpServerConnection;
import io.undertow.util.AttachmentKey;
import org.xnio.StreamConnection;
import org.xnio.conduits.StreamSourceConduit;

import java.lang.reflect.Method;

/**
 * Counts the bytes of a connection after its upgrade (WebSocket frames, or any protocol a 101 switches to), as
 * they pass, into the totals and the handshake's endpoint row; and how many upgraded connections are open.
 *
 * <p>Frames are counted whole (headers, masks, payload), before TLS, by wrapping the connection's own conduits. When
 * the handshake exchange completes, Undertow puts the connection's original conduits back and then hands it to
 * the upgrade listener, in one call at the end of the exchange's completion listeners, on the thread that completed
 * it (a worker thread for every servlet handshake): conduits set before that are put back, and the listener may
 * read and write (a greeting, a client's first frame) before that call returns. The public API has no hook in
 * between, so when the 101's channel is made ({@link #interceptHandOver}) a listener of ours goes in front of the
 * connection's upgrade listener, through {@code HttpServerConnection}'s protected accessors, and wraps the conduits
 * at the hand-over, before the upgrade listener runs: every byte after the 101 counts. Where those accessors cannot
 * be reached, the conduits are wrapped when the hand-over has returned ({@link #handedOver}), and what the upgrade
 * listener reads or writes while it sets the connection up is not counted.
 */
final class UpgradeTally extends CountingSinkConduit implements ByteTally, ServerConnection.CloseListener {

    /**
     * An upgrade exchange's counts (one per {@code BandwidthStats} it passed through, linked by
     * {@link #nextOnExchange}), from its completion until its connection was handed over.
     */
    private static final AttachmentKey<UpgradeTally> PENDING = AttachmentKey.create(UpgradeTally.class);
    /** An upgrade exchange's listener in front of the connection's upgrade listener. */
    private static final AttachmentKey<HandOver> HAND_OVER = AttachmentKey.create(HandOver.class);
    /** {@code HttpServerConnection.getUpgradeListener} and {@code setUpgradeListener} (protected); null: not reachable. */
    private static final Method GET_UPGRADE_LISTENER;
    private static final Method SET_UPGRADE_LISTENER;

    static {
        Method get;
        Method set;
        try {
            get = HttpServerConnection.class.getDeclaredMethod("getUpgradeListener");
            set = HttpServerConnection.class.getDeclaredMethod("setUpgradeListener", HttpUpgradeListener.class);
            get.setAccessible(true);
            set.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            get = null;
            set = null;
        }
        GET_UPGRADE_LISTENER = get;
        SET_UPGRADE_LISTENER = set;
    }

    private final BandwidthStats stats;
    private final Endpoint endpoint;
    private StripedCounters.Cell cell;
    /** Until {@link #handedOver}: the connection, and the request conduit its exchange read through. */
    private AbstractServerConnection connection;
    private StreamSourceConduit exchangeSource;
    /** Until the hand-over: the count of another handler's stats on the same exchange, if any. */
    private UpgradeTally nextOnExchange;

    private UpgradeTally(BandwidthStats stats, Endpoint endpoint, AbstractServerConnection connection) {
        this.stats = stats;
        this.endpoint = endpoint;
        this.connection = connection;
        this.exchangeSource = connection.getChannel().getSourceChannel().getConduit();
    }

    /**
     * When the channel of an upgrade's 101 is made (its upgrade listener set, the exchange not yet complete): puts
     * a listener in front of the connection's upgrade listener that starts the count at the hand-over. Leaves
     * everything as it is when that cannot be done (another connection type, accessors not reachable).
     */
    static void interceptHandOver(HttpServerExchange exchange) {
        if (SET_UPGRADE_LISTENER == null || !(exchange.getConnection() instanceof HttpServerConnection connection)
                || exchange.getAttachment(HAND_OVER) != null) {
            return;
        }
        try {
            if (GET_UPGRADE_LISTENER.invoke(connection) instanceof HttpUpgradeListener upgrade) {
                HandOver handOver = new HandOver(upgrade);
                SET_UPGRADE_LISTENER.invoke(connection, handOver);
                exchange.putAttachment(HAND_OVER, handOver);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // The count then starts after the hand-over (handedOver).
        }
    }

    /**
     * Counts the connection of an upgrade exchange that is completing as open; its bytes are counted from the
     * hand-over ({@link HandOver}), or else once the exchange's later completion listeners have returned
     * ({@link #handedOver}).
     */
    static void attach(BandwidthStats stats, Endpoint endpoint, HttpServerExchange exchange) {
        if (!(exchange.getConnection() instanceof AbstractServerConnection connection)
                || connection.getChannel() == null) {
            return;
        }
        UpgradeTally tally = new UpgradeTally(stats, endpoint, connection);
        stats.upgradeOpened(tally.cell());
        connection.addCloseListener(tally);
        // Each handler's stats counts the connection: an outer one's completion comes after an inner one's.
        HandOver handOver = exchange.getAttachment(HAND_OVER);
        if (handOver != null) {
            tally.nextOnExchange = handOver.tallies;
            handOver.tallies = tally;
        } else {
            tally.nextOnExchange = exchange.getAttachment(PENDING);
            exchange.putAttachment(PENDING, tally);
        }
    }

    /**
     * In front of the connection's upgrade listener: Undertow calls it with the connection's own conduits back in
     * place, on the thread that completed the handshake, after every completion listener; the counting conduits go
     * on before the upgrade listener sets the connection up.
     */
    private static final class HandOver implements HttpUpgradeListener {
        private final HttpUpgradeListener upgrade;
        /** Set by the completion listeners, on the thread that then hands the connection over (or before it). */
        private volatile UpgradeTally tallies;

        HandOver(HttpUpgradeListener upgrade) {
            this.upgrade = upgrade;
        }

        @Override
        public void handleUpgrade(StreamConnection channel, HttpServerExchange exchange) {
            for (UpgradeTally t = tallies, next; t != null; t = next) {
                next = t.nextOnExchange;
                t.nextOnExchange = null;
                t.connection = null;
                t.exchangeSource = null;
                t.wrap(channel);
            }
            upgrade.handleUpgrade(channel, exchange);
        }
    }

    /**
     * On the thread whose completion listeners just returned, for an upgrade exchange that {@link #attach} counted:
     * Undertow has put the connection's conduits back (the request conduit is no longer the exchange's) and handed
     * it over, so the counting conduits go on now. Should a listener have held the hand-over back (it still reads
     * through the exchange's request conduit), they are left to the connection's IO thread, as a best effort.
     */
    static void handedOver(HttpServerExchange exchange) {
        UpgradeTally tally = exchange.isUpgrade() ? exchange.removeAttachment(PENDING) : null;
        for (UpgradeTally next; tally != null; tally = next) {
            next = tally.nextOnExchange;
            tally.nextOnExchange = null;
            tally.wrapAfterHandOver();
        }
    }

    private void wrapAfterHandOver() {
        AbstractServerConnection c = connection;
        StreamConnection channel = c.getChannel();
        if (channel.getSourceChannel().getConduit() != exchangeSource) {
            wrap(channel);
        } else {
            c.getIoThread().execute(() -> wrap(channel));
        }
        connection = null;
        exchangeSource = null;
    }

    private void wrap(StreamConnection channel) {
        channel.getSourceChannel().setConduit(new CountingSourceConduit(channel.getSourceChannel().getConduit(), this));
        next = channel.getSinkChannel().getConduit();
        channel.getSinkChannel().setConduit(this);
    }

    @Override
    public void received(long bytes) {
        if (bytes > 0) {
            stats.upgradeReceived(cell(), endpoint, bytes);
        }
    }

    @Override
    void sending() {
        // A connection has no completion to hold back.
    }

    @Override
    void sent(long bytes) {
        if (bytes > 0) {
            stats.upgradeSent(cell(), endpoint, bytes);
        }
    }

    @Override
    public void closed(ServerConnection connection) {
        stats.upgradeClosed(cell());
    }

    /** The current thread's counters: frames may be written from any thread, one at a time. */
    private StripedCounters.Cell cell() {
        StripedCounters.Cell c = stats.cell(cell);
        cell = c;
        return c;
    }
}
