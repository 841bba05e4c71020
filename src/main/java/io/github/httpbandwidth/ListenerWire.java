package io.github.httpbandwidth;

import io.undertow.Undertow;
import io.undertow.server.AggregateConnectorStatistics;
import io.undertow.server.ConnectorStatistics;

import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The wire bytes of one Undertow listener that has statistics enabled ({@code UndertowOptions.ENABLE_STATISTICS}),
 * read from its {@link ConnectorStatistics}, with Undertow's double count taken out.
 *
 * <p>Where Undertow's listener counts are wrong: an HTTPS listener with HTTP/2 answers with an
 * {@link AggregateConnectorStatistics} over the protocols its ALPN listener offers, and Undertow registers its one
 * HTTP/2 listener under two protocol names ({@code h2} and {@code h2-14}), so every HTTP/2 byte and request is in
 * the aggregate twice. Here each distinct part counts once. The parts are a private field of the aggregate (the
 * same in Undertow 2.2, 2.3 and 2.4); when they cannot be read, the listener is not shown at all rather than shown
 * wrong ({@link #of} returns {@code null}).
 *
 * <p>What the figures are: on a cleartext listener, exactly the bytes on the wire (request and status lines,
 * headers, bodies, chunk framing); on a TLS listener, the HTTP bytes inside TLS (TLS records, handshakes and
 * alerts are not counted: a capture of the socket sees more). Requests of HTTP/2 over cleartext (h2c) are in
 * neither count's request figure: Undertow counts their bytes on the listener but never their requests.
 */
final class ListenerWire {

    private static final Field AGGREGATE_PARTS = aggregateParts();

    private final String name;
    private final Undertow.ListenerInfo listener;
    private final String counting;

    private ListenerWire(String name, Undertow.ListenerInfo listener, String counting) {
        this.name = name;
        this.listener = listener;
        this.counting = counting;
    }

    /** The listener's wire figures, or {@code null} when it has no statistics or they cannot be read right. */
    static ListenerWire of(Undertow.ListenerInfo listener) {
        ConnectorStatistics statistics = listener.getConnectorStatistics();
        if (statistics == null || parts(statistics) == null) {
            return null;
        }
        String protocol = listener.getProtcol();
        StringBuilder counting = new StringBuilder("https".equals(protocol)
                ? "HTTP bytes inside TLS (request and status lines, headers, bodies, chunk framing, HTTP/2 frames); "
                    + "TLS records and handshakes are not counted"
                : "Bytes on the wire: request and status lines, headers, bodies, chunk framing; requests of HTTP/2 "
                    + "over cleartext (h2c) are not in Requests");
        if (statistics instanceof AggregateConnectorStatistics) {
            counting.append("; HTTP/2 over ALPN counted once (Undertow's own aggregate counts it twice)");
        }
        return new ListenerWire(name(protocol, listener.getAddress()), listener, counting.toString());
    }

    String name() {
        return name;
    }

    ListenerSnapshot snapshot() {
        long received = 0;
        long sent = 0;
        long requests = 0;
        List<ConnectorStatistics> parts = parts(listener.getConnectorStatistics());
        if (parts != null) {
            for (ConnectorStatistics part : parts) {
                received += part.getBytesReceived();
                sent += part.getBytesSent();
                requests += part.getRequestCount();
            }
        }
        return new ListenerSnapshot(name, listener.getProtcol(), received, sent, requests, counting);
    }

    /** The distinct statistics that make up {@code statistics}; {@code null} when that cannot be known. */
    private static List<ConnectorStatistics> parts(ConnectorStatistics statistics) {
        if (statistics == null) {
            return null;
        }
        if (!(statistics instanceof AggregateConnectorStatistics)) {
            return List.of(statistics);
        }
        if (AGGREGATE_PARTS == null) {
            return null;
        }
        try {
            Set<ConnectorStatistics> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
            List<ConnectorStatistics> parts = new ArrayList<>();
            for (ConnectorStatistics part : (ConnectorStatistics[]) AGGREGATE_PARTS.get(statistics)) {
                if (part != null && distinct.add(part)) {
                    parts.add(part);
                }
            }
            return parts;
        } catch (IllegalAccessException | ClassCastException e) {
            return null;
        }
    }

    private static Field aggregateParts() {
        try {
            Field field = AggregateConnectorStatistics.class.getDeclaredField("connectorStatistics");
            field.setAccessible(true);
            return field.getType() == ConnectorStatistics[].class ? field : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static String name(String protocol, SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return protocol + "-" + inet.getHostString().replace(':', '.') + "-" + inet.getPort();
        }
        return protocol + "-" + address;
    }
}
