package io.github.httpbandwidth;

import java.util.List;

/**
 * One consistent read of a {@link BandwidthStats}: every figure below comes from the same pass over its counters.
 *
 * <p>{@code bytesReceived} and {@code bytesSent} move live, as bytes pass; an exchange's bytes reach its endpoint
 * row when it completes (its route is only certain then), and an upgraded connection's bytes reach the row as they
 * pass. So the rows never add up to more than the totals, and add up to exactly the totals when nothing is in flight
 * and no upgraded connection is open. {@code requests} is the request-size histogram's count, so it always equals
 * that histogram's {@code +Inf} bucket.
 *
 * @param startTimeMillis when the stats were created, in milliseconds since the epoch
 * @param bytesReceived request body bytes received so far, including exchanges still in flight, and frame bytes
 *         received on upgraded connections
 * @param bytesSent response body bytes sent so far, including exchanges still in flight, and frame bytes sent on
 *         upgraded connections
 * @param requests completed exchanges
 * @param requestsInFlight exchanges that entered the handler and have not completed
 * @param upgradedConnectionsOpen connections upgraded (a 101, such as WebSocket) through the handler and still open
 * @param requestSizes request body sizes of completed exchanges
 * @param responseSizes response body sizes of completed exchanges
 * @param bytesReceivedPerSecond {@code bytesReceived}'s rate
 * @param bytesSentPerSecond {@code bytesSent}'s rate
 * @param requestsPerSecond {@code requests}' rate
 * @param endpoints every endpoint row, including {@code (unmatched)} and {@code (overflow)}, busiest first
 *         (body bytes in and out), then by name
 * @param endpointCap how many named endpoint rows there may be
 * @param overflowRequests completed exchanges that landed on the {@code (overflow)} row
 * @param classifierErrors exceptions thrown by the endpoint classifier (and swallowed)
 * @param requestSizesLastMinute request body sizes of exchanges completed in the last minute (60 to 65 s)
 * @param responseSizesLastMinute response body sizes of exchanges completed in the last minute (60 to 65 s)
 * @param transfersInFlight the largest exchanges in flight whose body passed {@code inFlightThresholdBytes},
 *         largest first, at most 10 (more: {@link BandwidthStats#largestTransfersInFlight})
 * @param inFlightThresholdBytes the body size past which an exchange in flight is listed
 * @param listeners the wire figures of the listeners watched through {@link BandwidthStats#watchListeners}
 * @param statusClasses per endpoint and response status class (1xx to 5xx), the completed exchanges' body bytes
 *         and requests; only classes that had a request; they add up to the endpoint rows' completed exchanges
 * @param clients the top clients (see {@link BandwidthStats.Builder#clientCapacity}): the kept clients busiest
 *         first, then {@code (unidentified)} if any exchange had no key, then {@code (other)}; the rows add up to
 *         every completed exchange: requests to {@code requests}, bytes to the size histograms' sums. Empty when
 *         the table is off
 * @param clientCapacity how many clients the table keeps (0: off)
 * @param clientKeyErrors exceptions thrown by the client key (and swallowed); those exchanges went to
 *         {@code (unidentified)}
 *
 * <p>Stability: read it through its accessors, which are supported. Its canonical constructor is public only
 * because it is a record: new components may be added in a minor version, so do not construct it.
 */
public record BandwidthSnapshot(
        long startTimeMillis,
        long bytesReceived,
        long bytesSent,
        long requests,
        long requestsInFlight,
        long upgradedConnectionsOpen,
        HistogramSnapshot requestSizes,
        HistogramSnapshot responseSizes,
        Rate bytesReceivedPerSecond,
        Rate bytesSentPerSecond,
        Rate requestsPerSecond,
        List<EndpointSnapshot> endpoints,
        int endpointCap,
        long overflowRequests,
        long classifierErrors,
        HistogramSnapshot requestSizesLastMinute,
        HistogramSnapshot responseSizesLastMinute,
        List<TransferSnapshot> transfersInFlight,
        long inFlightThresholdBytes,
        List<ListenerSnapshot> listeners,
        List<StatusClassSnapshot> statusClasses,
        List<ClientSnapshot> clients,
        int clientCapacity,
        long clientKeyErrors) {

    public BandwidthSnapshot {
        endpoints = List.copyOf(endpoints);
        transfersInFlight = List.copyOf(transfersInFlight);
        listeners = List.copyOf(listeners);
        statusClasses = List.copyOf(statusClasses);
        clients = List.copyOf(clients);
    }

    /** The row of the top clients named {@code client}, or {@code null} when there is none. */
    public ClientSnapshot client(String client) {
        for (ClientSnapshot row : clients) {
            if (row.client().equals(client)) {
                return row;
            }
        }
        return null;
    }

    /** The row named {@code endpoint}, or {@code null} when there is none. */
    public EndpointSnapshot endpoint(String endpoint) {
        for (EndpointSnapshot row : endpoints) {
            if (row.endpoint().equals(endpoint)) {
                return row;
            }
        }
        return null;
    }
}
