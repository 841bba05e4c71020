package io.github.httpbandwidth;

/**
 * One read of an Undertow listener's own statistics (its wire bytes), shown beside a handler's body bytes.
 *
 * @param listener the listener's name in the MBean: protocol, host and port, such as {@code https-127.0.0.1-8443}
 * @param protocol {@code http} or {@code https} (or {@code ajp})
 * @param wireBytesReceived bytes the listener read from its connections: request lines, headers, bodies and chunk
 *         framing (on TLS: the HTTP bytes inside TLS)
 * @param wireBytesSent bytes the listener wrote: status lines, headers, bodies and chunk framing (on TLS: inside it)
 * @param requests requests the listener counted
 * @param counting what the figures include and leave out on this listener, and any correction made
 *
 * <p>Stability: the accessors are supported; do not construct it (new components may be added).
 */
public record ListenerSnapshot(String listener, String protocol, long wireBytesReceived, long wireBytesSent,
                               long requests, String counting) {
}
