package io.github.httpbandwidth;

/**
 * One read of an endpoint row.
 *
 * @param endpoint the row's name: a route template, {@code (unmatched)} or {@code (overflow)}
 * @param bytesReceived request body bytes received for this endpoint so far
 * @param bytesSent response body bytes sent for this endpoint so far
 * @param requests completed exchanges of this endpoint
 *
 * <p>Stability: the accessors are supported; do not construct it (new components may be added).
 */
public record EndpointSnapshot(String endpoint, long bytesReceived, long bytesSent, long requests) {
}
