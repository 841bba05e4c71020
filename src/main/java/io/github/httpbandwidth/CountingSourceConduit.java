package io.github.httpbandwidth;

import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.StreamSourceConduit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Counts the bytes read from the conduit below, by how far the destination buffers' positions moved.
 *
 * <p>Both {@code transferTo} forms are covered: Undertow drains a body the application never read through
 * {@code transferTo(..., FileChannel)}, and the buffered form would hide the bytes it leaves in its buffer.
 */
final class CountingSourceConduit extends AbstractStreamSourceConduit<StreamSourceConduit> {

    private final ByteTally tally;

    CountingSourceConduit(StreamSourceConduit next, ByteTally tally) {
        super(next);
        this.tally = tally;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int start = dst.position();
        try {
            return next.read(dst);
        } finally {
            tally.received(dst.position() - start);
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
        long start = Buffers.remaining(dsts, offs, len);
        try {
            return next.read(dsts, offs, len);
        } finally {
            tally.received(start - Buffers.remaining(dsts, offs, len));
        }
    }

    @Override
    public long transferTo(long position, long count, FileChannel target) throws IOException {
        long transferred = next.transferTo(position, count, target);
        tally.received(transferred);
        return transferred;
    }

    /** Goes through {@link #read(ByteBuffer)}, so bytes left in {@code throughBuffer} are counted as read too. */
    @Override
    public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target) throws IOException {
        return Conduits.transfer(this, count, throughBuffer, target);
    }
}
