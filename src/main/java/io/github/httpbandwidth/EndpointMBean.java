package io.github.httpbandwidth;

import javax.management.openmbean.SimpleType;
import java.util.List;

/**
 * One endpoint row of a {@link BandwidthStats} as an MBean of its own,
 * {@code io.github.httpbandwidth.console:name=<handler>,view=Endpoints,endpoint=<endpoint>}, so that JConsole and
 * VisualVM show a handler's endpoints as a tree and chart any figure of one: body bytes in and out, requests, and
 * their rates over the last minute.
 *
 * <p>Registered when the row is admitted (so at most the endpoint cap plus the two fixed rows), wherever the
 * handler's MBean is registered, and unregistered with it. Its type keeps it out of the JMX exporter's scrape
 * ({@code type=BandwidthStats,*} in the shipped rules): the handler's {@code Endpoints} table carries the same
 * counts in one attribute.
 */
final class EndpointMBean extends ReadOnlyOpenMBean<EndpointSnapshot> {

    private final BandwidthStats stats;
    private final String endpoint;

    EndpointMBean(BandwidthStats stats, String endpoint) {
        super(EndpointMBean.class.getName(), "Endpoint '" + endpoint + "' of the Undertow handler '" + stats.name()
                + "': body bytes and completed exchanges, counted when each exchange completes",
                ATTRIBUTES);
        this.stats = stats;
        this.endpoint = endpoint;
    }

    @Override
    EndpointSnapshot snapshot() {
        EndpointSnapshot row = stats.snapshot().endpoint(endpoint);
        return row != null ? row : new EndpointSnapshot(endpoint, 0, 0, 0, 0.0, 0.0, 0.0);
    }

    private static final List<OpenAttribute<EndpointSnapshot>> ATTRIBUTES = List.of(
            OpenAttribute.of("Endpoint", "The row's name: a route template, (unmatched) or (overflow)", Unit.TEXT,
                    SimpleType.STRING, EndpointSnapshot::endpoint),
            OpenAttribute.of("BytesReceived", "Request body bytes of this endpoint's completed exchanges",
                    Unit.BYTES, SimpleType.LONG, EndpointSnapshot::bytesReceived),
            OpenAttribute.of("BytesSent", "Response body bytes of this endpoint's completed exchanges", Unit.BYTES,
                    SimpleType.LONG, EndpointSnapshot::bytesSent),
            OpenAttribute.of("Requests", "Completed exchanges of this endpoint", Unit.REQUESTS, SimpleType.LONG,
                    EndpointSnapshot::requests),
            OpenAttribute.of("BytesReceivedPerSecond1m", "Request body bytes per second over the last minute",
                    Unit.BYTES_PER_SECOND, SimpleType.DOUBLE, EndpointSnapshot::bytesReceivedPerSecond1m),
            OpenAttribute.of("BytesSentPerSecond1m", "Response body bytes per second over the last minute",
                    Unit.BYTES_PER_SECOND, SimpleType.DOUBLE, EndpointSnapshot::bytesSentPerSecond1m),
            OpenAttribute.of("RequestsPerSecond1m", "Completed exchanges per second over the last minute",
                    Unit.REQUESTS_PER_SECOND, SimpleType.DOUBLE, EndpointSnapshot::requestsPerSecond1m));
}
