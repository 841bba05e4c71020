package io.github.httpbandwidth;

import javax.management.openmbean.OpenMBeanAttributeInfoSupport;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;
import java.util.function.Function;

/**
 * Every attribute of the BandwidthStats MBean: its name, description, unit, open type and how it is read
 * from a {@link BandwidthSnapshot}. The one place that says what the MBean shows.
 */
enum StatsAttribute implements OpenAttribute<BandwidthSnapshot> {
    BYTES_RECEIVED("BytesReceived", "Request body bytes received, counted as they arrive (de-chunked; "
            + "unread bodies count when Undertow drains them); includes exchanges in flight and the frames received "
            + "on upgraded connections",
            Unit.BYTES, SimpleType.LONG, BandwidthSnapshot::bytesReceived),
    BYTES_SENT("BytesSent", "Response body bytes sent, counted as each write hands them on (after compression "
            + "inside the handler, before TLS; 0 for HEAD, 1xx, 204, 304); includes exchanges in flight and the "
            + "frames sent on upgraded connections",
            Unit.BYTES, SimpleType.LONG, BandwidthSnapshot::bytesSent),
    REQUESTS("Requests", "Completed exchanges, whatever their status, counted once at completion",
            Unit.REQUESTS, SimpleType.LONG, BandwidthSnapshot::requests),
    REQUESTS_IN_FLIGHT("RequestsInFlight", "Exchanges that entered the handler and have not completed",
            Unit.REQUESTS, SimpleType.LONG, BandwidthSnapshot::requestsInFlight),
    UPGRADED_CONNECTIONS_OPEN("UpgradedConnectionsOpen", "Connections upgraded through the handler (a 101, such "
            + "as WebSocket) and still open; their frame bytes count in BytesReceived and BytesSent as they pass",
            Unit.CONNECTIONS, SimpleType.LONG, BandwidthSnapshot::upgradedConnectionsOpen),
    REQUEST_SIZE_AVERAGE("RequestSizeAverageBytes", "Average request body size of completed exchanges",
            Unit.BYTES, SimpleType.DOUBLE, s -> s.requestSizes().averageBytes()),
    RESPONSE_SIZE_AVERAGE("ResponseSizeAverageBytes", "Average response body size of completed exchanges",
            Unit.BYTES, SimpleType.DOUBLE, s -> s.responseSizes().averageBytes()),
    REQUEST_SIZE_SUM("RequestSizeSumBytes", "Sum of request body sizes of completed exchanges (histogram sum)",
            Unit.BYTES, SimpleType.LONG, s -> s.requestSizes().sumBytes()),
    RESPONSE_SIZE_SUM("ResponseSizeSumBytes", "Sum of response body sizes of completed exchanges (histogram sum)",
            Unit.BYTES, SimpleType.LONG, s -> s.responseSizes().sumBytes()),
    REQUEST_SIZE_COUNT("RequestSizeCount", "Completed exchanges in the request size histogram (histogram count, "
            + "equal to its +Inf bucket)", Unit.REQUESTS, SimpleType.LONG, s -> s.requestSizes().count()),
    RESPONSE_SIZE_COUNT("ResponseSizeCount", "Completed exchanges in the response size histogram (histogram "
            + "count, equal to its +Inf bucket)", Unit.REQUESTS, SimpleType.LONG, s -> s.responseSizes().count()),
    REQUEST_SIZE_BUCKETS("RequestSizeBuckets", "Request body size histogram: cumulative count of completed "
            + "exchanges per upper bound le (bytes)", Unit.REQUESTS, OpenTypes.SIZE_BUCKETS,
            s -> OpenTypes.sizeBuckets(s.requestSizes())),
    RESPONSE_SIZE_BUCKETS("ResponseSizeBuckets", "Response body size histogram: cumulative count of completed "
            + "exchanges per upper bound le (bytes)", Unit.REQUESTS, OpenTypes.SIZE_BUCKETS,
            s -> OpenTypes.sizeBuckets(s.responseSizes())),
    ENDPOINTS("Endpoints", "Per endpoint (route template): body bytes received and sent, completed exchanges; "
            + "an exchange's bytes reach its row when it completes, an upgraded connection's as they pass; rows "
            + "(unmatched) and (overflow) included; " + StatsAttribute.BORN_AT_ZERO,
            Unit.BYTES, OpenTypes.ENDPOINTS, s -> OpenTypes.endpoints(s.endpoints())),
    ENDPOINT_STATUS_CLASSES("EndpointStatusClasses", "Per endpoint and response status class (1xx to 5xx, only "
            + "those seen): body bytes received and sent and requests of completed exchanges, counted at completion "
            + "with the status they completed with; " + StatsAttribute.BORN_AT_ZERO, Unit.BYTES, OpenTypes.STATUS_CLASSES,
            s -> OpenTypes.statusClasses(s.statusClasses())),
    CLIENTS("Clients", "Top clients by body bytes (Space-Saving): per client, body bytes received and sent and "
            + "requests of completed exchanges since it entered the table, with errorBytes bounding what it moved "
            + "before; (unidentified) has the exchanges without a key, (departed) what clients that left the table "
            + "had shown on their rows, (other) everything else, so the rows add up to all completed exchanges; "
            + StatsAttribute.BORN_AT_ZERO, Unit.BYTES, OpenTypes.CLIENTS, s -> OpenTypes.clients(s.clients())),
    CLIENT_CAPACITY("ClientCapacity", "How many clients the top clients table keeps (0: off); any client that moved "
            + "more than 1/ClientCapacity of all body bytes is kept", Unit.CLIENTS, SimpleType.INTEGER,
            BandwidthSnapshot::clientCapacity),
    CLIENT_KEY_ERRORS("ClientKeyErrors", "Exceptions thrown by the client key; those exchanges went to "
            + "(unidentified)", Unit.EXCEPTIONS, SimpleType.LONG, BandwidthSnapshot::clientKeyErrors),
    ENDPOINT_CAP("EndpointCap", "How many named endpoint rows there may be; later names go to (overflow)",
            Unit.ENDPOINTS, SimpleType.INTEGER, BandwidthSnapshot::endpointCap),
    OVERFLOW_REQUESTS("OverflowRequests", "Completed exchanges that landed on the (overflow) endpoint row "
            + "because the endpoint cap was reached", Unit.REQUESTS, SimpleType.LONG,
            BandwidthSnapshot::overflowRequests),
    CLASSIFIER_ERRORS("ClassifierErrors", "Exceptions thrown by the endpoint classifier; those exchanges went to "
            + "(unmatched)", Unit.EXCEPTIONS, SimpleType.LONG, BandwidthSnapshot::classifierErrors),
    START_TIME("StartTimeEpochMillis", "When counting started", Unit.EPOCH_MILLIS, SimpleType.LONG,
            BandwidthSnapshot::startTimeMillis),
    BYTES_RECEIVED_RATE_1M("BytesReceivedPerSecond1m", "Request body bytes received per second over the last "
            + "minute", Unit.BYTES_PER_SECOND, SimpleType.DOUBLE, s -> s.bytesReceivedPerSecond().oneMinute()),
    BYTES_RECEIVED_RATE_5M("BytesReceivedPerSecond5m", "Request body bytes received per second over the last "
            + "5 minutes", Unit.BYTES_PER_SECOND, SimpleType.DOUBLE, s -> s.bytesReceivedPerSecond().fiveMinutes()),
    BYTES_RECEIVED_RATE_15M("BytesReceivedPerSecond15m", "Request body bytes received per second over the last "
            + "15 minutes", Unit.BYTES_PER_SECOND, SimpleType.DOUBLE,
            s -> s.bytesReceivedPerSecond().fifteenMinutes()),
    BYTES_SENT_RATE_1M("BytesSentPerSecond1m", "Response body bytes sent per second over the last minute",
            Unit.BYTES_PER_SECOND, SimpleType.DOUBLE, s -> s.bytesSentPerSecond().oneMinute()),
    BYTES_SENT_RATE_5M("BytesSentPerSecond5m", "Response body bytes sent per second over the last 5 minutes",
            Unit.BYTES_PER_SECOND, SimpleType.DOUBLE, s -> s.bytesSentPerSecond().fiveMinutes()),
    BYTES_SENT_RATE_15M("BytesSentPerSecond15m", "Response body bytes sent per second over the last 15 minutes",
            Unit.BYTES_PER_SECOND, SimpleType.DOUBLE, s -> s.bytesSentPerSecond().fifteenMinutes()),
    REQUESTS_RATE_1M("RequestsPerSecond1m", "Completed exchanges per second over the last minute",
            Unit.REQUESTS_PER_SECOND, SimpleType.DOUBLE, s -> s.requestsPerSecond().oneMinute()),
    REQUESTS_RATE_5M("RequestsPerSecond5m", "Completed exchanges per second over the last 5 minutes",
            Unit.REQUESTS_PER_SECOND, SimpleType.DOUBLE, s -> s.requestsPerSecond().fiveMinutes()),
    REQUESTS_RATE_15M("RequestsPerSecond15m", "Completed exchanges per second over the last 15 minutes",
            Unit.REQUESTS_PER_SECOND, SimpleType.DOUBLE, s -> s.requestsPerSecond().fifteenMinutes());

    /** Said of each table the exporter reads. */
    private static final String BORN_AT_ZERO = "a new row shows 0 from the first read that sees it until the row hold "
            + "(default 120 s) has passed, so Prometheus counts its first exchanges (BandwidthStats.snapshot() is live)";

    private final String attributeName;
    private final String description;
    private final Unit unit;
    private final OpenType<?> type;
    private final Function<BandwidthSnapshot, Object> reader;

    StatsAttribute(String attributeName, String description, Unit unit, OpenType<?> type,
                   Function<BandwidthSnapshot, Object> reader) {
        this.attributeName = attributeName;
        this.description = description;
        this.unit = unit;
        this.type = type;
        this.reader = reader;
    }

    @Override
    public String attributeName() {
        return attributeName;
    }

    @Override
    public Object read(BandwidthSnapshot snapshot) {
        return reader.apply(snapshot);
    }

    /** Description with its unit, as JConsole shows it and the JMX exporter uses it for HELP. */
    @Override
    public OpenMBeanAttributeInfoSupport info() {
        return OpenAttribute.info(attributeName, description, unit, type);
    }
}
