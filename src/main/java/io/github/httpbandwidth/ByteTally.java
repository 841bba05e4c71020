package io.github.httpbandwidth;

import org.xnio.conduits.Conduit;

/**
 * Where a {@link CountingSourceConduit} reports the bytes it read: an exchange's body, or an upgraded connection.
 * Called by one thread at a time.
 */
interface ByteTally {

    /** A read of the conduit below begins on this thread; the {@link #received} that follows it ends it. */
    default void reading() {
    }

    /** {@code bytes} (0 or more) arrived from the client. */
    void received(long bytes);

    /**
     * Whether the conduit {@code below}, about to be wrapped, already counts into the same stats for this
     * exchange (the exchange went through the handler twice); then it is not wrapped again.
     */
    default boolean countedBelow(Conduit below) {
        return false;
    }
}
