package io.github.httpbandwidth;

import javax.management.openmbean.SimpleType;
import java.util.List;

/**
 * One watched Undertow listener's wire figures as an MBean under its handler's MBean, beside the handler's body
 * bytes: overhead (headers, framing) is wire minus body when the handler sees all of the listener's traffic.
 */
final class ListenerMBean extends ReadOnlyOpenMBean<ListenerSnapshot> {

    private static final List<OpenAttribute<ListenerSnapshot>> ATTRIBUTES = List.of(
            OpenAttribute.of("Listener", "Protocol, host and port of the listener", Unit.TEXT, SimpleType.STRING,
                    ListenerSnapshot::listener),
            OpenAttribute.of("Protocol", "http, https or ajp", Unit.TEXT, SimpleType.STRING,
                    ListenerSnapshot::protocol),
            OpenAttribute.of("WireBytesReceived", "Bytes the listener read: request lines, headers, bodies and "
                    + "chunk framing (on TLS, the HTTP bytes inside it); see Counting", Unit.BYTES, SimpleType.LONG,
                    ListenerSnapshot::wireBytesReceived),
            OpenAttribute.of("WireBytesSent", "Bytes the listener wrote: status lines, headers, bodies and chunk "
                    + "framing (on TLS, the HTTP bytes inside it); see Counting", Unit.BYTES, SimpleType.LONG,
                    ListenerSnapshot::wireBytesSent),
            OpenAttribute.of("Requests", "Requests the listener counted; see Counting", Unit.REQUESTS,
                    SimpleType.LONG, ListenerSnapshot::requests),
            OpenAttribute.of("Counting", "What these figures include and leave out on this listener", Unit.TEXT,
                    SimpleType.STRING, ListenerSnapshot::counting));

    private final BandwidthStats stats;
    private final String listener;

    ListenerMBean(BandwidthStats stats, String listener) {
        super(ListenerMBean.class.getName(), "Wire figures of the Undertow listener " + listener
                + ", beside the body figures of the handler '" + stats.name() + "'", ATTRIBUTES);
        this.stats = stats;
        this.listener = listener;
    }

    @Override
    ListenerSnapshot snapshot() {
        return stats.listenerSnapshot(listener);
    }
}
