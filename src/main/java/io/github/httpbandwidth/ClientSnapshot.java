package io.github.httpbandwidth;

/**
 * One row of the top clients, as read at one moment.
 *
 * @param client the client's key as a name (an address, a worker id, a principal), or {@code (unidentified)} (no
 *         key) or {@code (other)} (every exchange not on another row)
 * @param bytesReceived request body bytes of its completed exchanges since it entered the table (exact)
 * @param bytesSent response body bytes of its completed exchanges since it entered the table (exact)
 * @param requests its completed exchanges since it entered the table (exact)
 * @param errorBytes for a client: at most this many of its body bytes (in and out) are counted in {@code (other)}
 *         instead of its row, because it moved them before it last entered the table; never more than all bytes
 *         divided by the table's capacity, plus, while a reader's row hold shows the row as 0, what the row
 *         counted and does not show yet. So a client's body bytes (in and out) since the handler started lie
 *         between {@code bytesReceived + bytesSent} and that plus {@code errorBytes}. For {@code (other)}: the
 *         table's least weight, the most body bytes any client not kept can have moved since the handler started;
 *         summed over instances, it bounds a client missing from their tables. 0 for {@code (unidentified)}.
 *
 * <p>Stability: the accessors are supported; do not construct it (new components may be added).
 */
public record ClientSnapshot(String client, long bytesReceived, long bytesSent, long requests, long errorBytes) {
}
