package io.github.httpbandwidth;

import org.xnio.channels.StreamSourceChannel;
import org.xnio.conduits.AbstractStreamSinkConduit;
import org.xnio.conduits.StreamSinkConduit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Counts the response body bytes that each write or transfer hands to the conduit below, as it returns.
 *
 * <p>Every byte-moving method is overridden: the base class would pass {@code transferFrom} (sendfile) and
 * {@code writeFinal} straight through, and those bytes would be missed. Transfers are delegated, so zero-copy
 * file serving stays zero-copy.
 */
final class CountingSinkConduit extends AbstractStreamSinkConduit<StreamSinkConduit> {

    private final ExchangeTally tally;

    CountingSinkConduit(StreamSinkConduit next, ExchangeTally tally) {
        super(next);
        this.tally = tally;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int written = next.write(src);
        tally.sent(written);
        return written;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offs, int len) throws IOException {
        long written = next.write(srcs, offs, len);
        tally.sent(written);
        return written;
    }

    @Override
    public int writeFinal(ByteBuffer src) throws IOException {
        int written = next.writeFinal(src);
        tally.sent(written);
        return written;
    }

    @Override
    public long writeFinal(ByteBuffer[] srcs, int offs, int len) throws IOException {
        long written = next.writeFinal(srcs, offs, len);
        tally.sent(written);
        return written;
    }

    @Override
    public long transferFrom(FileChannel src, long position, long count) throws IOException {
        long transferred = next.transferFrom(src, position, count);
        tally.sent(transferred);
        return transferred;
    }

    /** Counts what reached the conduit below; bytes left in {@code throughBuffer} come back later through write. */
    @Override
    public long transferFrom(StreamSourceChannel source, long count, ByteBuffer throughBuffer) throws IOException {
        long transferred = next.transferFrom(source, count, throughBuffer);
        tally.sent(transferred);
        return transferred;
    }
}
