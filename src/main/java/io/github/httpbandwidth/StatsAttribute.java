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
    REQUEST_SIZE_P50("RequestSizeP50Bytes", "Median request body size of completed exchanges since start, "
            + HistogramNote.TEXT, Unit.BYTES, SimpleType.DOUBLE, s -> s.requestSizes().quantileBytes(0.5)),
    REQUEST_SIZE_P90("RequestSizeP90Bytes", "90th percentile of request body sizes of completed exchanges since "
            + "start, " + HistogramNote.TEXT, Unit.BYTES, SimpleType.DOUBLE, s -> s.requestSizes().quantileBytes(0.9)),
    REQUEST_SIZE_P99("RequestSizeP99Bytes", "99th percentile of request body sizes of completed exchanges since "
            + "start, " + HistogramNote.TEXT, Unit.BYTES, SimpleType.DOUBLE,
            s -> s.requestSizes().quantileBytes(0.99)),
    REQUEST_SIZE_MAX("RequestSizeMaxBytes", "Largest request body of a completed exchange since start (exact)",
            Unit.BYTES, SimpleType.LONG, s -> s.requestSizes().maxBytes()),
    RESPONSE_SIZE_P50("ResponseSizeP50Bytes", "Median response body size of completed exchanges since start, "
            + HistogramNote.TEXT, Unit.BYTES, SimpleType.DOUBLE, s -> s.responseSizes().quantileBytes(0.5)),
    RESPONSE_SIZE_P90("ResponseSizeP90Bytes", "90th percentile of response body sizes of completed exchanges since "
            + "start, " + HistogramNote.TEXT, Unit.BYTES, SimpleType.DOUBLE,
            s -> s.responseSizes().quantileBytes(0.9)),
    RESPONSE_SIZE_P99("ResponseSizeP99Bytes", "99th percentile of response body sizes of completed exchanges since "
            + "start, " + HistogramNote.TEXT, Unit.BYTES, SimpleType.DOUBLE,
            s -> s.responseSizes().quantileBytes(0.99)),
    RESPONSE_SIZE_MAX("ResponseSizeMaxBytes", "Largest response body of a completed exchange since start (exact)",
            Unit.BYTES, SimpleType.LONG, s -> s.responseSizes().maxBytes()),
    REQUEST_SIZE_P50_1M("RequestSizeP50Bytes1m", "Median request body size of exchanges completed in the last "
            + "minute (60 to 65 s), " + HistogramNote.TEXT, Unit.BYTES, SimpleType.DOUBLE,
            s -> s.requestSizesLastMinute().quantileBytes(0.5)),
    REQUEST_SIZE_P90_1M("RequestSizeP90Bytes1m", "90th percentile of request body sizes of exchanges completed in "
            + "the last minute (60 to 65 s), " + HistogramNote.TEXT, Unit.BYTES, SimpleType.DOUBLE,
            s -> s.requestSizesLastMinute().quantileBytes(0.9)),
    REQUEST_SIZE_P99_1M("RequestSizeP99Bytes1m", "99th percentile of request body sizes of exchanges completed in "
            + "the last minute (60 to 65 s), " + HistogramNote.TEXT, Unit.BYTES, SimpleType.DOUBLE,
            s -> s.requestSizesLastMinute().quantileBytes(0.99)),
    REQUEST_SIZE_MAX_1M("RequestSizeMaxBytes1m", "Largest request body of an exchange completed in the last minute "
            + "(60 to 65 s; exact)", Unit.BYTES, SimpleType.LONG, s -> s.requestSizesLastMinute().maxBytes()),
    RESPONSE_SIZE_P50_1M("ResponseSizeP50Bytes1m", "Median response body size of exchanges completed in the last "
            + "minute (60 to 65 s), " + HistogramNote.TEXT, Unit.BYTES, SimpleType.DOUBLE,
            s -> s.responseSizesLastMinute().quantileBytes(0.5)),
    RESPONSE_SIZE_P90_1M("ResponseSizeP90Bytes1m", "90th percentile of response body sizes of exchanges completed "
            + "in the last minute (60 to 65 s), " + HistogramNote.TEXT, Unit.BYTES, SimpleType.DOUBLE,
            s -> s.responseSizesLastMinute().quantileBytes(0.9)),
    RESPONSE_SIZE_P99_1M("ResponseSizeP99Bytes1m", "99th percentile of response body sizes of exchanges completed "
            + "in the last minute (60 to 65 s), " + HistogramNote.TEXT, Unit.BYTES, SimpleType.DOUBLE,
            s -> s.responseSizesLastMinute().quantileBytes(0.99)),
    RESPONSE_SIZE_MAX_1M("ResponseSizeMaxBytes1m", "Largest response body of an exchange completed in the last "
            + "minute (60 to 65 s; exact)", Unit.BYTES, SimpleType.LONG, s -> s.responseSizesLastMinute().maxBytes()),
    TRANSFERS_IN_FLIGHT("TransfersInFlight", "The largest exchanges in flight whose request or response body "
            + "passed InFlightThresholdBytes, largest first (at most 10; the operation largestTransfersInFlight "
            + "gives more): endpoint, direction, body bytes so far, seconds open, current bytes/s, client",
            Unit.TRANSFERS, OpenTypes.TRANSFERS, s -> OpenTypes.transfers(s.transfersInFlight())),
    IN_FLIGHT_THRESHOLD("InFlightThresholdBytes", "Body size past which an exchange in flight is listed in "
            + "TransfersInFlight", Unit.BYTES, SimpleType.LONG, BandwidthSnapshot::inFlightThresholdBytes),
    ENDPOINTS("Endpoints", "Per endpoint (route template): body bytes received and sent, completed exchanges; "
            + "an exchange's bytes reach its row when it completes, an upgraded connection's as they pass; rows "
            + "(unmatched) and (overflow) included",
            Unit.BYTES, OpenTypes.ENDPOINTS, s -> OpenTypes.endpoints(s.endpoints())),
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

    /** How the percentiles are estimated, said in each one's description. */
    private static final class HistogramNote {
        static final String TEXT = "estimated from the size histogram as Prometheus's histogram_quantile does "
                + "(linear interpolation inside the bucket holding the rank), capped at the largest body seen in "
                + "the same period";
    }
}
