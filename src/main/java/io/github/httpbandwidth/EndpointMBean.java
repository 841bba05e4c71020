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
 *
 * <p>A read sums only this row's counters (in each counting thread's row), so it costs the same with 10 rows or
 * 10,000, and reading the whole tree is linear in the rows. Every endpoint MBean shares one MBeanInfo.
 */
final class EndpointMBean extends ReadOnlyOpenMBean<EndpointSnapshot> {

    private final BandwidthStats stats;
    private final Endpoint endpoint;

    EndpointMBean(BandwidthStats stats, Endpoint endpoint) {
        super(SHAPE);
        this.stats = stats;
        this.endpoint = endpoint;
    }

    /** A read of this row alone: its own counters, whatever the number of rows. */
    @Override
    EndpointSnapshot snapshot() {
        return stats.endpointRow(endpoint.name, endpoint.index);
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

    /** One MBeanInfo for every endpoint MBean: the ObjectName and the Endpoint attribute say which row it is. */
    private static final Shape<EndpointSnapshot> SHAPE = new Shape<>(EndpointMBean.class.getName(),
            "One endpoint row of an Undertow bandwidth handler (the ObjectName's name and endpoint keys): body bytes"
                    + " and completed exchanges, counted when each exchange completes", ATTRIBUTES);
}
