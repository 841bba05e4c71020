package io.github.httpbandwidth;

import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;
import javax.management.openmbean.TabularData;
import javax.management.openmbean.TabularDataSupport;
import javax.management.openmbean.TabularType;
import java.util.List;

/**
 * The table types of the MBean and the conversion of snapshots into them.
 *
 * <p>Tables, not arrays: the JMX exporter drops arrays, but turns each table row into a sample with the index
 * column as a label ({@code le}, {@code endpoint}), and passes the index value through unescaped.
 */
final class OpenTypes {

    static final String LE = "le";
    static final String ENDPOINT = "endpoint";
    static final String CLIENT = "client";
    static final String STATUS_CLASS = "statusClass";

    private static final String[] BUCKET_ITEMS = {LE, "count"};
    private static final String[] ENDPOINT_ITEMS = {ENDPOINT, "bytesReceived", "bytesSent", "requests"};

    private static final String[] TRANSFER_ITEMS = {"rank", ENDPOINT, "direction", "bytes", "bytesReceived",
        "bytesSent", "secondsOpen", "timedFrom", "bytesPerSecond", "client"};

    static final TabularType SIZE_BUCKETS;
    static final TabularType ENDPOINTS;
    static final TabularType TRANSFERS;
    static final TabularType CLIENTS;
    static final TabularType STATUS_CLASSES;

    private static final String[] CLIENT_ITEMS = {CLIENT, "bytesReceived", "bytesSent", "requests", "errorBytes"};
    private static final String[] STATUS_CLASS_ITEMS = {STATUS_CLASS, ENDPOINT, "bytesReceived", "bytesSent",
        "requests"};

    static {
        try {
            CompositeType bucket = new CompositeType("SizeBucket", "One cumulative body size bucket",
                    BUCKET_ITEMS,
                    new String[] {"Upper bound in bytes (inclusive), or +Inf",
                        "Completed exchanges whose body was at most le bytes"},
                    new OpenType<?>[] {SimpleType.STRING, SimpleType.LONG});
            SIZE_BUCKETS = new TabularType("SizeBuckets", "Cumulative body size histogram, one row per bucket",
                    bucket, new String[] {LE});
            CompositeType endpoint = new CompositeType("Endpoint", "Body bytes and requests of one endpoint",
                    ENDPOINT_ITEMS,
                    new String[] {"Route template, (unmatched) or (overflow)",
                        "Request body bytes received (bytes)", "Response body bytes sent (bytes)",
                        "Completed exchanges (requests)"},
                    new OpenType<?>[] {SimpleType.STRING, SimpleType.LONG, SimpleType.LONG, SimpleType.LONG});
            ENDPOINTS = new TabularType("Endpoints", "Per-endpoint body bytes and requests, one row per endpoint",
                    endpoint, new String[] {ENDPOINT});
            CompositeType transfer = new CompositeType("Transfer", "One exchange in flight past the threshold",
                    TRANSFER_ITEMS,
                    new String[] {"1 for the largest", "Endpoint row it counts on",
                        "inbound (request body), outbound (response body) or both",
                        "Body bytes moved so far in that direction (bytes)", "Request body bytes so far (bytes)",
                        "Response body bytes so far (bytes)", "Seconds open, from timedFrom (seconds)",
                        "request start, or threshold when Undertow does not record request start times",
                        "Body bytes per second in that direction over the last 1 to 6 seconds; in its first"
                            + " second listed, since timedFrom (bytes/s)",
                        "Client address and port"},
                    new OpenType<?>[] {SimpleType.INTEGER, SimpleType.STRING, SimpleType.STRING, SimpleType.LONG,
                        SimpleType.LONG, SimpleType.LONG, SimpleType.DOUBLE, SimpleType.STRING, SimpleType.DOUBLE,
                        SimpleType.STRING});
            CompositeType client = new CompositeType("Client", "Body bytes and requests of one client",
                    CLIENT_ITEMS,
                    new String[] {"Client key (address, worker id, principal), (unidentified), (other) or (departed)",
                        "Request body bytes received since the client entered the table (bytes)",
                        "Response body bytes sent since the client entered the table (bytes)",
                        "Completed exchanges since the client entered the table (requests)",
                        "A client's body bytes counted in (other) instead of its row are at most this; for (other): "
                            + "no client there moved more (bytes)"},
                    new OpenType<?>[] {SimpleType.STRING, SimpleType.LONG, SimpleType.LONG, SimpleType.LONG,
                        SimpleType.LONG});
            CLIENTS = new TabularType("Clients", "Top clients by body bytes, busiest first, then (unidentified), "
                    + "(other) and (departed)", client, new String[] {CLIENT});
            // The status class first: the exporter appends index columns in this order, and the endpoint, which
            // may hold any character, is then the last key and can be taken whole.
            CompositeType statusClass = new CompositeType("EndpointStatusClass",
                    "Completed exchanges of one endpoint with one response status class", STATUS_CLASS_ITEMS,
                    new String[] {"1xx to 5xx", "Route template, (unmatched) or (overflow)",
                        "Request body bytes received (bytes)", "Response body bytes sent (bytes)",
                        "Completed exchanges (requests)"},
                    new OpenType<?>[] {SimpleType.STRING, SimpleType.STRING, SimpleType.LONG, SimpleType.LONG,
                        SimpleType.LONG});
            STATUS_CLASSES = new TabularType("EndpointStatusClasses", "Per endpoint and response status class, "
                    + "body bytes and requests of completed exchanges", statusClass,
                    new String[] {STATUS_CLASS, ENDPOINT});
            TRANSFERS = new TabularType("Transfers", "Exchanges in flight past the threshold, largest first",
                    transfer, new String[] {"rank"});
        } catch (OpenDataException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private OpenTypes() {
    }

    static TabularData sizeBuckets(HistogramSnapshot histogram) {
        long[] bounds = histogram.upperBounds();
        long[] cumulative = histogram.cumulativeCounts();
        TabularDataSupport table = new TabularDataSupport(SIZE_BUCKETS, cumulative.length * 2, 0.75f);
        for (int i = 0; i < cumulative.length; i++) {
            String le = i < bounds.length ? Long.toString(bounds[i]) : "+Inf";
            table.put(row(SIZE_BUCKETS.getRowType(), BUCKET_ITEMS, le, cumulative[i]));
        }
        return table;
    }

    /** Rows in the snapshot's order, busiest first (TabularDataSupport keeps insertion order). */
    static TabularData endpoints(List<EndpointSnapshot> endpoints) {
        TabularDataSupport table = new TabularDataSupport(ENDPOINTS, endpoints.size() * 2, 0.75f);
        for (EndpointSnapshot e : endpoints) {
            table.put(row(ENDPOINTS.getRowType(), ENDPOINT_ITEMS, e.endpoint(), e.bytesReceived(), e.bytesSent(), e.requests()));
        }
        return table;
    }

    /** Rows in the snapshot's order: busiest first, then (unidentified), (other) and (departed). */
    static TabularData clients(List<ClientSnapshot> clients) {
        TabularDataSupport table = new TabularDataSupport(CLIENTS, Math.max(16, clients.size() * 2), 0.75f);
        for (ClientSnapshot c : clients) {
            table.put(row(CLIENTS.getRowType(), CLIENT_ITEMS, c.client(), c.bytesReceived(), c.bytesSent(),
                    c.requests(), c.errorBytes()));
        }
        return table;
    }

    static TabularData statusClasses(List<StatusClassSnapshot> classes) {
        TabularDataSupport table = new TabularDataSupport(STATUS_CLASSES, Math.max(16, classes.size() * 2), 0.75f);
        for (StatusClassSnapshot c : classes) {
            table.put(row(STATUS_CLASSES.getRowType(), STATUS_CLASS_ITEMS, c.statusClass(), c.endpoint(),
                    c.bytesReceived(), c.bytesSent(), c.requests()));
        }
        return table;
    }

    /** Ranked from 1, in the list's order. */
    static TabularData transfers(List<TransferSnapshot> transfers) {
        TabularDataSupport table = new TabularDataSupport(TRANSFERS, Math.max(16, transfers.size() * 2), 0.75f);
        int rank = 1;
        for (TransferSnapshot t : transfers) {
            table.put(row(TRANSFERS.getRowType(), TRANSFER_ITEMS, rank++, t.endpoint(), t.direction(), t.bytes(),
                    t.bytesReceived(), t.bytesSent(), t.secondsOpen(), t.timedFrom(), t.bytesPerSecond(), t.client()));
        }
        return table;
    }

    private static CompositeDataSupport row(CompositeType type, String[] items, Object... values) {
        try {
            return new CompositeDataSupport(type, items, values);
        } catch (OpenDataException e) {
            throw new IllegalStateException("row does not fit " + type.getTypeName(), e);
        }
    }
}
