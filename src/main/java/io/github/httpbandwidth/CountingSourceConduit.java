package io.github.httpbandwidth;

import io.undertow.server.ConduitWrapper;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.ConduitFactory;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.ReadReadyHandler;
import org.xnio.conduits.StreamSourceConduit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.TimeUnit;

/**
 * Counts the bytes read from the conduit below, by how far the destination buffers' positions moved, and passes
 * everything else through. For an exchange it is also its own {@link ConduitWrapper}: one object per request body,
 * not two.
 *
 * <p>Every read tells the tally when it begins and, with its bytes, when it ends: the exchange may complete inside it
 * (Undertow's chunked decoder ends the exchange when a body it drains reaches its last chunk).
 *
 * <p>Both {@code transferTo} forms are covered: Undertow drains a body the application never read through
 * {@code transferTo(..., FileChannel)}, and the buffered form would hide the bytes it leaves in its buffer.
 */
final class CountingSourceConduit implements StreamSourceConduit, ConduitWrapper<StreamSourceConduit> {

    private final ByteTally tally;
    private StreamSourceConduit next;

    /** Counting into {@code tally} once {@link #wrap} has been called. */
    CountingSourceConduit(ByteTally tally) {
        this.tally = tally;
    }

    CountingSourceConduit(StreamSourceConduit next, ByteTally tally) {
        this.tally = tally;
        this.next = next;
    }

    ByteTally tally() {
        return tally;
    }

    @Override
    public StreamSourceConduit wrap(ConduitFactory<StreamSourceConduit> factory, HttpServerExchange exchange) {
        StreamSourceConduit below = factory.create();
        if (tally.countedBelow(below)) {
            return below;
        }
        next = below;
        return this;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int start = dst.position();
        tally.reading();
        try {
            return next.read(dst);
        } finally {
            tally.received(dst.position() - start);
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
        long start = Buffers.remaining(dsts, offs, len);
        tally.reading();
        try {
            return next.read(dsts, offs, len);
        } finally {
            tally.received(start - Buffers.remaining(dsts, offs, len));
        }
    }

    @Override
    public long transferTo(long position, long count, FileChannel target) throws IOException {
        long transferred = 0;
        tally.reading();
        try {
            transferred = next.transferTo(position, count, target);
            return transferred;
        } finally {
            tally.received(transferred);
        }
    }

    /** Goes through {@link #read(ByteBuffer)}, so bytes left in {@code throughBuffer} are counted as read too. */
    @Override
    public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target) throws IOException {
        return Conduits.transfer(this, count, throughBuffer, target);
    }

    @Override
    public void terminateReads() throws IOException {
        next.terminateReads();
    }

    @Override
    public boolean isReadShutdown() {
        return next.isReadShutdown();
    }

    @Override
    public void resumeReads() {
        next.resumeReads();
    }

    @Override
    public void suspendReads() {
        next.suspendReads();
    }

    @Override
    public void wakeupReads() {
        next.wakeupReads();
    }

    @Override
    public boolean isReadResumed() {
        return next.isReadResumed();
    }

    @Override
    public void awaitReadable() throws IOException {
        next.awaitReadable();
    }

    @Override
    public void awaitReadable(long time, TimeUnit timeUnit) throws IOException {
        next.awaitReadable(time, timeUnit);
    }

    @Override
    public XnioIoThread getReadThread() {
        return next.getReadThread();
    }

    @Override
    public void setReadReadyHandler(ReadReadyHandler handler) {
        next.setReadReadyHandler(handler);
    }

    @Override
    public XnioWorker getWorker() {
        return next.getWorker();
    }
}
