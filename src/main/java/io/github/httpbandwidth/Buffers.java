package io.github.httpbandwidth;

import java.nio.ByteBuffer;

/** Byte buffer arithmetic shared by the counting conduits. */
final class Buffers {

    private Buffers() {
    }

    /** The bytes remaining in {@code buffers[offs .. offs+len)}. */
    static long remaining(ByteBuffer[] buffers, int offs, int len) {
        long total = 0;
        for (int i = offs; i < offs + len; i++) {
            total += buffers[i].remaining();
        }
        return total;
    }
}
