package io.github.httpbandwidth;

/**
 * One exchange in flight whose body passed the in-flight threshold, as read at one moment.
 *
 * @param endpoint the endpoint row it will count on, as named when it passed the threshold
 * @param direction {@code inbound} (a request body), {@code outbound} (a response body) or {@code both}
 * @param bytes body bytes moved so far in that direction (both: in and out added)
 * @param bytesReceived request body bytes received so far
 * @param bytesSent response body bytes sent so far
 * @param secondsOpen seconds since the request started when Undertow records start times
 *         ({@code UndertowOptions.RECORD_REQUEST_START_TIME}), else since the body passed the threshold
 * @param timedFrom what {@code secondsOpen} counts from: {@code request start} or {@code threshold}
 * @param bytesPerSecond body bytes per second in that direction over the last 1 to 6 seconds; in its first second on
 *         the list, since the request started (as {@code secondsOpen}), or since it was listed when Undertow records
 *         no start times
 * @param client the client's address and port, as Undertow gives it ({@code getSourceAddress()})
 *
 * <p>Stability: the accessors are supported; do not construct it (new components may be added).
 */
public record TransferSnapshot(String endpoint, String direction, long bytes, long bytesReceived, long bytesSent,
                               double secondsOpen, String timedFrom, double bytesPerSecond, String client) {
}
