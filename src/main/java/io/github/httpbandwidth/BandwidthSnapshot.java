package io.github.httpbandwidth;

import java.util.List;

/**
 * One consistent read of a {@link BandwidthStats}: every figure below comes from the same pass over its counters.
 *
 * <p>{@code bytesReceived} and {@code bytesSent} are the sums of the endpoint rows' bytes in this same read, so
 * the rows always add up to the totals. {@code requests} is the request-size histogram's count, so it always
 * equals that histogram's {@code +Inf} bucket.
 *
 * @param startTimeMillis when the stats were created, in milliseconds since the epoch
 * @param bytesReceived request body bytes received so far, including exchanges still in flight
 * @param bytesSent response body bytes sent so far, including exchanges still in flight
 * @param requests completed exchanges
 * @param requestsInFlight exchanges that entered the handler and have not completed
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
 */
public record BandwidthSnapshot(
        long startTimeMillis,
        long bytesReceived,
        long bytesSent,
        long requests,
        long requestsInFlight,
        HistogramSnapshot requestSizes,
        HistogramSnapshot responseSizes,
        Rate bytesReceivedPerSecond,
        Rate bytesSentPerSecond,
        Rate requestsPerSecond,
        List<EndpointSnapshot> endpoints,
        int endpointCap,
        long overflowRequests,
        long classifierErrors) {

    public BandwidthSnapshot {
        endpoints = List.copyOf(endpoints);
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
