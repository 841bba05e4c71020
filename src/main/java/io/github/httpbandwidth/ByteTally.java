package io.github.httpbandwidth;

/**
 * Where the counting conduits report the bytes that moved: an exchange's body, or an upgraded connection.
 *
 * <p>Each direction is called by one thread at a time; the two directions may be called from two threads at once
 * (HTTP/2 reads a request on the IO thread while a worker writes the response).
 */
interface ByteTally {

    /** {@code bytes} (may be 0 or negative for "nothing") arrived from the client. */
    void received(long bytes);

    /** A write or transfer towards the client starts on the current thread; {@link #sent} follows when it ends. */
    void sending();

    /** {@code bytes} (may be 0 or negative for "nothing") left towards the client, as a write or transfer ends. */
    void sent(long bytes);
}
