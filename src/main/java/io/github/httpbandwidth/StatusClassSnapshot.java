package io.github.httpbandwidth;

/**
 * The completed exchanges of one endpoint whose response had one status class, as read at one moment.
 *
 * @param endpoint the endpoint row's name
 * @param statusClass {@code 1xx} to {@code 5xx}; a status below 200 counts as {@code 1xx}, one of 500 or above as
 *         {@code 5xx}
 * @param bytesReceived request body bytes of those exchanges
 * @param bytesSent response body bytes of those exchanges
 * @param requests those exchanges
 *
 * <p>Counted when the exchange completes, with the status it completed with. Stability: the accessors are
 * supported; do not construct it (new components may be added).
 */
public record StatusClassSnapshot(String endpoint, String statusClass, long bytesReceived, long bytesSent,
                                  long requests) {
}
