package io.github.httpbandwidth;

import io.undertow.server.HttpServerExchange;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exchanges in flight whose request or response body passed a size threshold: what is moving right now.
 *
 * <p>Nothing is registered per request: an exchange's tally compares its running byte count with the threshold as
 * bytes pass, and only an exchange that crosses it is listed here (one map entry, once), then removed when it
 * completes. At most {@value #MAX_LISTED} are listed at a time; more wait for room, each listed at its first read
 * or write after room is made. An exchange that never
 * completes (HTTP/2 over TLS can leave an aborted upload so) is dropped once its connection is closed.
 *
 * <p>The default threshold, {@value #DEFAULT_THRESHOLD_BYTES} bytes (1 MiB): listing costs one map entry and one
 * endpoint lookup, against at least 1 MiB moved, so even at 10 Gbit/s it happens at most about 1,200 times a
 * second; and 1 MiB is above the bodies an API answers with (the example master's job lists are a few kB), so the
 * list shows the transfers that make a bandwidth graph move, not the everyday traffic.
 *
 * <p>Thread-safe: request threads list and remove; readers and the sampler synchronize on this object.
 */
final class InFlightTransfers {

    static final long DEFAULT_THRESHOLD_BYTES = 1 << 20;
    static final int MAX_LISTED = 1024;
    private static final long ONE_SECOND_NANOS = 1_000_000_000L;
    private static final Comparator<TransferSnapshot> LARGEST_FIRST =
            Comparator.comparingLong(TransferSnapshot::bytes).reversed()
                    .thenComparing(TransferSnapshot::endpoint);

    private final ConcurrentHashMap<ExchangeTally, Transfer> listed = new ConcurrentHashMap<>();
    private final long thresholdBytes;

    InFlightTransfers(long thresholdBytes) {
        this.thresholdBytes = thresholdBytes;
    }

    long thresholdBytes() {
        return thresholdBytes;
    }

    /**
     * On the exchange's thread, when one direction of its body passed the threshold (or passed it while the list
     * was full, at each read or write since).
     *
     * @return whether it is listed now; not when the list is full
     */
    boolean list(ExchangeTally tally, HttpServerExchange exchange, Endpoint endpoint, boolean inbound, long nowNanos) {
        Transfer transfer = listed.get(tally);
        if (transfer != null) {
            transfer.listed(inbound);
            return true;
        }
        if (listed.size() >= MAX_LISTED) {
            return false;
        }
        // -1 when the listener does not record start times; any other value is a System.nanoTime() reading.
        long started = exchange.getRequestStartTime();
        boolean fromRequestStart = started != -1;
        transfer = new Transfer(tally, exchange, endpoint.name, client(exchange.getSourceAddress()),
                fromRequestStart ? started : nowNanos, fromRequestStart);
        transfer.listed(inbound);
        transfer.lastBytes = transfer.bytes();
        transfer.lastNanos = nowNanos;
        transfer.previousBytes = transfer.lastBytes;
        transfer.previousNanos = nowNanos;
        listed.put(tally, transfer);
        return true;
    }

    /** The exchange completed; a no-op for one that was never listed. */
    void remove(ExchangeTally tally) {
        listed.remove(tally);
    }

    /** Once a tick: keeps each transfer's byte count for its current rate; drops those whose connection closed. */
    synchronized void sample(long nowNanos) {
        for (Transfer transfer : listed.values()) {
            if (!transfer.exchange.getConnection().isOpen()) {
                listed.remove(transfer.tally, transfer);
                continue;
            }
            transfer.previousBytes = transfer.lastBytes;
            transfer.previousNanos = transfer.lastNanos;
            transfer.lastBytes = transfer.bytes();
            transfer.lastNanos = nowNanos;
        }
    }

    /** The {@code n} largest transfers in flight, largest first. */
    synchronized List<TransferSnapshot> largest(int n, long nowNanos) {
        List<TransferSnapshot> all = new ArrayList<>(listed.size());
        for (Transfer transfer : listed.values()) {
            all.add(transfer.snapshot(nowNanos));
        }
        all.sort(LARGEST_FIRST);
        return all.size() > n ? List.copyOf(all.subList(0, n)) : all;
    }

    private static String client(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getHostString() + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    /** A listed exchange; its sample fields are guarded by the enclosing object. */
    private static final class Transfer {
        final ExchangeTally tally;
        final HttpServerExchange exchange;
        final String endpoint;
        final String client;
        final long startNanos;
        final boolean fromRequestStart;
        volatile boolean inbound;
        volatile boolean outbound;
        long previousBytes;
        long previousNanos;
        long lastBytes;
        long lastNanos;

        Transfer(ExchangeTally tally, HttpServerExchange exchange, String endpoint, String client, long startNanos,
                 boolean fromRequestStart) {
            this.tally = tally;
            this.exchange = exchange;
            this.endpoint = endpoint;
            this.client = client;
            this.startNanos = startNanos;
            this.fromRequestStart = fromRequestStart;
        }

        void listed(boolean inboundCrossed) {
            if (inboundCrossed) {
                inbound = true;
            } else {
                outbound = true;
            }
        }

        long bytes() {
            return (inbound ? tally.bytesReceived() : 0) + (outbound ? tally.bytesSent() : 0);
        }

        TransferSnapshot snapshot(long nowNanos) {
            long bytes = bytes();
            // Against the newest sample at least a second old: a rate over a few milliseconds would be noise (0.0
            // when no byte came in them). Listed under a second ago, with none that old: since the request started
            // when Undertow records start times (no byte of it counted then), else since the listing.
            long fromBytes = lastBytes;
            long fromNanos = lastNanos;
            if (nowNanos - fromNanos < ONE_SECOND_NANOS) {
                fromBytes = previousBytes;
                fromNanos = previousNanos;
                if (nowNanos - fromNanos < ONE_SECOND_NANOS && fromRequestStart) {
                    fromBytes = 0;
                    fromNanos = startNanos;
                }
            }
            double rate = nowNanos <= fromNanos ? 0.0
                    : (bytes - fromBytes) * 1e9 / (nowNanos - fromNanos);
            String direction = inbound && outbound ? "both" : inbound ? "inbound" : "outbound";
            return new TransferSnapshot(endpoint, direction, bytes, tally.bytesReceived(), tally.bytesSent(),
                    Math.max(0, nowNanos - startNanos) / 1e9, fromRequestStart ? "request start" : "threshold",
                    rate, client);
        }
    }
}
