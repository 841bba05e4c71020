package io.github.httpbandwidth;

import javax.management.openmbean.SimpleType;
import java.util.List;

/**
 * One row of a handler's top clients as an MBean of its own, for readers that cannot iterate the handler's
 * {@code Clients} table: {@code io.github.httpbandwidth.rows:name=<handler>,client=<client>}, registered while the
 * client has a row, one admission of it to the table: a client whose MBean went gets a new one only after the row hold
 * ({@link ReaderRows}). Read by the OpenTelemetry Java agent through the shipped rules.
 *
 * <ul>
 *   <li>{@code Client}: the row's name as it is: the client key (cut to 128 characters), {@code (unidentified)} or
 *       {@code (other)}; a reader takes the label from here, never from the ObjectName.</li>
 *   <li>{@code BytesReceived}, {@code BytesSent}, {@code Requests}: the row as the exported view shows it
 *       ({@link ClientTable#exported}), 0 from this MBean's first read until the row hold has passed.</li>
 * </ul>
 */
final class ClientRowMBean extends ReadOnlyOpenMBean<ClientSnapshot> {

    private static final long UNSEEN = Long.MIN_VALUE;

    private final ReaderRows rows;
    private final RowHold hold;
    private final String client;
    /** The admission of the client this MBean shows ({@link ReaderRows.View#admission}). */
    private final long admission;
    private long seen = UNSEEN;

    ClientRowMBean(ReaderRows rows, RowHold hold, String client, long admission) {
        super(SHAPE);
        this.rows = rows;
        this.hold = hold;
        this.client = client;
        this.admission = admission;
    }

    @Override
    synchronized ClientSnapshot snapshot() {
        ReaderRows.View view = rows.view();
        ClientSnapshot row = view.client(client);
        if (row == null || view.admission(client) != admission) {
            // Left the table since this MBean was found, perhaps to come back as a new admission counting afresh: it is
            // being unregistered; its series ends with what it showed.
            return null;
        }
        if (seen == UNSEEN) {
            seen = view.now();
        }
        if (!hold.held(seen, view.now())) {
            return row;
        }
        // The error of a held client row covers what it does not show yet (ClientSnapshot#errorBytes); the fixed
        // rows' errors mean something else and stay as they are.
        long hidden = ClientTable.OTHER.equals(client) || ClientTable.UNIDENTIFIED.equals(client)
                ? 0 : row.bytesReceived() + row.bytesSent();
        return new ClientSnapshot(client, 0, 0, 0, row.errorBytes() + hidden);
    }

    /** One MBeanInfo for every client row: the client is in its ObjectName and its Client attribute. */
    private static final Shape<ClientSnapshot> SHAPE = new Shape<>(ClientRowMBean.class.getName(), "One row of an"
            + " Undertow handler's top clients, an MBean of its own for readers that cannot iterate tables"
            + " (OpenTelemetry); its figures read 0 for the row hold after this MBean first shows them", List.of(
            OpenAttribute.of("Client", "The row's name: the client key, (unidentified) or (other)",
                    Unit.TEXT, SimpleType.STRING, ClientSnapshot::client),
            OpenAttribute.of("BytesReceived", "Request body bytes of this client's completed exchanges (0 during the"
                    + " row hold)", Unit.BYTES, SimpleType.LONG, ClientSnapshot::bytesReceived),
            OpenAttribute.of("BytesSent", "Response body bytes of this client's completed exchanges (0 during the"
                    + " row hold)", Unit.BYTES, SimpleType.LONG, ClientSnapshot::bytesSent),
            OpenAttribute.of("Requests", "Completed exchanges of this client (0 during the row hold)",
                    Unit.REQUESTS, SimpleType.LONG, ClientSnapshot::requests),
            OpenAttribute.of("ErrorBytes", "How many of this row's bytes may belong to clients that left the table"
                    + " before it came in (Space-Saving's bound)", Unit.BYTES, SimpleType.LONG,
                    ClientSnapshot::errorBytes)));
}
