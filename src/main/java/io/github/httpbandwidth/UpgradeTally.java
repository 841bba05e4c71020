package io.github.httpbandwidth;

import io.undertow.server.AbstractServerConnection;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.util.AttachmentKey;
import org.xnio.StreamConnection;
import org.xnio.conduits.StreamSourceConduit;

/**
 * Counts the bytes of a connection after its upgrade (WebSocket frames, or any protocol a 101 switches to), as
 * they pass, into the totals and the handshake's endpoint row; and how many upgraded connections are open.
 *
 * <p>Frames are counted whole (headers, masks, payload), before TLS, by wrapping the connection's own conduits. When
 * the handshake exchange completes, Undertow puts the connection's original conduits back and then hands it to
 * the upgrade listener, in one call at the end of the exchange's completion listeners, on the thread that completed
 * it (a worker thread for every servlet handshake), with no public hook in between. So the exchange's tally opens
 * this count in its completion listener and wraps the conduits when the rest of the listeners, and with them the
 * hand-over, have returned ({@link #handedOver}): conduits set earlier would be put back. Not counted, therefore:
 * what the upgrade listener writes synchronously while it sets up the connection (a greeting sent from a WebSocket
 * {@code onConnect}, for example). Everything after that is counted exactly.
 */
final class UpgradeTally extends CountingSinkConduit implements ByteTally, ServerConnection.CloseListener {

    /** An upgrade exchange's count, from its completion until its connection was handed over. */
    private static final AttachmentKey<UpgradeTally> PENDING = AttachmentKey.create(UpgradeTally.class);

    private final BandwidthStats stats;
    private final Endpoint endpoint;
    private StripedCounters.Cell cell;
    /** Until {@link #handedOver}: the connection, and the request conduit its exchange read through. */
    private AbstractServerConnection connection;
    private StreamSourceConduit exchangeSource;

    private UpgradeTally(BandwidthStats stats, Endpoint endpoint, AbstractServerConnection connection) {
        this.stats = stats;
        this.endpoint = endpoint;
        this.connection = connection;
        this.exchangeSource = connection.getChannel().getSourceChannel().getConduit();
    }

    /**
     * Counts the connection of an upgrade exchange that is completing as open; {@link #handedOver} starts counting
     * its bytes once the exchange's later completion listeners have returned.
     */
    static void attach(BandwidthStats stats, Endpoint endpoint, HttpServerExchange exchange) {
        if (!(exchange.getConnection() instanceof AbstractServerConnection connection)
                || connection.getChannel() == null) {
            return;
        }
        UpgradeTally tally = new UpgradeTally(stats, endpoint, connection);
        stats.upgradeOpened(tally.cell());
        connection.addCloseListener(tally);
        exchange.putAttachment(PENDING, tally);
    }

    /**
     * On the thread whose completion listeners just returned, for an upgrade exchange that {@link #attach} counted:
     * Undertow has put the connection's conduits back (the request conduit is no longer the exchange's) and handed
     * it over, so the counting conduits go on now. Should a listener have held the hand-over back (it still reads
     * through the exchange's request conduit), they are left to the connection's IO thread, as a best effort.
     */
    static void handedOver(HttpServerExchange exchange) {
        UpgradeTally tally = exchange.isUpgrade() ? exchange.removeAttachment(PENDING) : null;
        if (tally != null) {
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
