package io.github.httpbandwidth;

import io.undertow.server.AbstractServerConnection;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import org.xnio.StreamConnection;

/**
 * Counts the bytes of a connection after its upgrade (WebSocket frames, or any protocol a 101 switches to), as
 * they pass, into the totals and the handshake's endpoint row; and how many upgraded connections are open.
 *
 * <p>Frames are counted whole (headers, masks, payload), before TLS, by wrapping the connection's own conduits. When
 * the handshake exchange completes, Undertow puts the connection's original conduits back and then hands it to
 * the upgrade listener, in one call with no public hook in between; so the wrapping is a task on the connection's
 * IO thread, which runs before that thread reads from the connection again. Not counted, therefore: what the
 * upgrade listener writes synchronously while it sets up the connection (a greeting sent from a WebSocket
 * {@code onConnect}, for example), and bytes the client sent before the 101 arrived, which Undertow had already
 * read. Everything after that is counted exactly.
 */
final class UpgradeTally extends CountingSinkConduit implements ByteTally, ServerConnection.CloseListener {

    private final BandwidthStats stats;
    private final Endpoint endpoint;
    private StripedCounters.Cell cell;

    private UpgradeTally(BandwidthStats stats, Endpoint endpoint) {
        this.stats = stats;
        this.endpoint = endpoint;
    }

    static void attach(BandwidthStats stats, Endpoint endpoint, HttpServerExchange exchange) {
        if (!(exchange.getConnection() instanceof AbstractServerConnection connection)
                || connection.getChannel() == null) {
            return;
        }
        UpgradeTally tally = new UpgradeTally(stats, endpoint);
        stats.upgradeOpened(tally.cell());
        connection.addCloseListener(tally);
        connection.getIoThread().execute(() -> tally.wrap(connection.getChannel()));
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
