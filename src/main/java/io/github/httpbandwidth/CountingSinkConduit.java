package io.github.httpbandwidth;

import org.xnio.channels.StreamSourceChannel;
import org.xnio.conduits.AbstractStreamSinkConduit;
import org.xnio.conduits.StreamSinkConduit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Counts the bytes that each write or transfer hands to the conduit below.
 *
 * <p>Writes are counted by how far the source buffers' positions moved, in a {@code finally}: Undertow's response
 * conduit loops inside one call, and when the client goes away the call throws after megabytes may have left;
 * counting only calls that return would lose them. The exchange may complete inside that failing call, so the
 * tally is told when a call starts ({@link ByteTally#sending()}) and records the completion after the call's bytes. Every byte-moving method is overridden: the base class would
 * pass {@code transferFrom} (sendfile) and {@code writeFinal} straight through, and those bytes would be missed.
 * Transfers are delegated, so zero-copy file serving stays zero-copy; a transfer that throws has moved an unknown
 * number of bytes and counts none.
 */
final class CountingSinkConduit extends AbstractStreamSinkConduit<StreamSinkConduit> {

    private final ByteTally tally;

    CountingSinkConduit(StreamSinkConduit next, ByteTally tally) {
        super(next);
        this.tally = tally;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int start = src.position();
        tally.sending();
        try {
            return next.write(src);
        } finally {
            tally.sent(src.position() - start);
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offs, int len) throws IOException {
        long start = Buffers.remaining(srcs, offs, len);
        tally.sending();
        try {
            return next.write(srcs, offs, len);
        } finally {
            tally.sent(start - Buffers.remaining(srcs, offs, len));
        }
    }

    @Override
    public int writeFinal(ByteBuffer src) throws IOException {
        int start = src.position();
        tally.sending();
        try {
            return next.writeFinal(src);
        } finally {
            tally.sent(src.position() - start);
        }
    }

    @Override
    public long writeFinal(ByteBuffer[] srcs, int offs, int len) throws IOException {
        long start = Buffers.remaining(srcs, offs, len);
        tally.sending();
        try {
            return next.writeFinal(srcs, offs, len);
        } finally {
            tally.sent(start - Buffers.remaining(srcs, offs, len));
        }
    }

    @Override
    public long transferFrom(FileChannel src, long position, long count) throws IOException {
        long transferred = 0;
        tally.sending();
        try {
            transferred = next.transferFrom(src, position, count);
            return transferred;
        } finally {
            tally.sent(transferred);
        }
    }

    /** Counts what reached the conduit below; bytes left in {@code throughBuffer} come back later through write. */
    @Override
    public long transferFrom(StreamSourceChannel source, long count, ByteBuffer throughBuffer) throws IOException {
        long transferred = 0;
        tally.sending();
        try {
            transferred = next.transferFrom(source, count, throughBuffer);
            return transferred;
        } finally {
            tally.sent(transferred);
        }
    }
}
