package io.github.httpbandwidth;

/**
 * One read of an endpoint row.
 *
 * @param endpoint the row's name: a route template, {@code (unmatched)} or {@code (overflow)}
 * @param bytesReceived request body bytes received for this endpoint so far
 * @param bytesSent response body bytes sent for this endpoint so far
 * @param requests completed exchanges of this endpoint
 * @param bytesReceivedPerSecond1m {@code bytesReceived}'s rate over the last minute (see {@link Rate})
 * @param bytesSentPerSecond1m {@code bytesSent}'s rate over the last minute
 * @param requestsPerSecond1m {@code requests}' rate over the last minute
 *
 * <p>An exchange's bytes reach its row when it completes, so a row's rates follow completed exchanges (and the
 * frames of upgraded connections as they pass).
 *
 * <p>Stability: the accessors are supported; do not construct it (new components may be added).
 */
public record EndpointSnapshot(String endpoint, long bytesReceived, long bytesSent, long requests,
                               double bytesReceivedPerSecond1m, double bytesSentPerSecond1m,
                               double requestsPerSecond1m) {
}
