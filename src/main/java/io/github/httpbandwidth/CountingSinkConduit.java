package io.github.httpbandwidth;

import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.channels.StreamSourceChannel;
import org.xnio.conduits.StreamSinkConduit;
import org.xnio.conduits.WriteReadyHandler;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.TimeUnit;

/**
 * A sink conduit that counts the bytes each write or transfer hands to the conduit below, and passes everything
 * else through. Subclasses say where the counts go.
 *
 * <p>Writes are counted by how far the source buffers' positions moved, in a {@code finally}: Undertow's response
 * conduit loops inside one call, and when the client goes away the call throws after megabytes may have left;
 * counting only calls that return would lose them. The exchange may complete inside that failing call, so
 * subclasses are told when a call starts ({@link #sending()}) as well as what it moved ({@link #sent(long)}).
 * Every byte-moving method is counted, {@code transferFrom} (sendfile) and {@code writeFinal} included; transfers
 * are delegated, so zero-copy file serving stays zero-copy, and a transfer that throws counts nothing of that call.
 *
 * <p>The conduit below is set once, before the first call ({@link #next}), so that one object can be both the
 * per-exchange tally and its conduit: Undertow allocates enough per request already.
 */
abstract class CountingSinkConduit implements StreamSinkConduit {

    /** The conduit below; set once, before any other method is called. */
    StreamSinkConduit next;

    /** A write or transfer starts on the current thread; {@link #sent} follows when it ends, also if it throws. */
    abstract void sending();

    /** {@code bytes} (0 or more) left towards the client in the call that just ended. */
    abstract void sent(long bytes);

    @Override
    public final int write(ByteBuffer src) throws IOException {
        int start = src.position();
        sending();
        try {
            return next.write(src);
        } finally {
            sent(src.position() - start);
        }
    }

    @Override
    public final long write(ByteBuffer[] srcs, int offs, int len) throws IOException {
        long start = Buffers.remaining(srcs, offs, len);
        sending();
        try {
            return next.write(srcs, offs, len);
        } finally {
            sent(start - Buffers.remaining(srcs, offs, len));
        }
    }

    @Override
    public final int writeFinal(ByteBuffer src) throws IOException {
        int start = src.position();
        sending();
        try {
            return next.writeFinal(src);
        } finally {
            sent(src.position() - start);
        }
    }

    @Override
    public final long writeFinal(ByteBuffer[] srcs, int offs, int len) throws IOException {
        long start = Buffers.remaining(srcs, offs, len);
        sending();
        try {
            return next.writeFinal(srcs, offs, len);
        } finally {
            sent(start - Buffers.remaining(srcs, offs, len));
        }
    }

    @Override
    public final long transferFrom(FileChannel src, long position, long count) throws IOException {
        long transferred = 0;
        sending();
        try {
            transferred = next.transferFrom(src, position, count);
            return transferred;
        } finally {
            sent(transferred);
        }
    }

    /** Counts what reached the conduit below; bytes left in {@code throughBuffer} come back later through write. */
    @Override
    public final long transferFrom(StreamSourceChannel source, long count, ByteBuffer throughBuffer) throws IOException {
        long transferred = 0;
        sending();
        try {
            transferred = next.transferFrom(source, count, throughBuffer);
            return transferred;
        } finally {
            sent(transferred);
        }
    }

    @Override
    public final void terminateWrites() throws IOException {
        next.terminateWrites();
    }

    @Override
    public final boolean isWriteShutdown() {
        return next.isWriteShutdown();
    }

    @Override
    public final void resumeWrites() {
        next.resumeWrites();
    }

    @Override
    public final void suspendWrites() {
        next.suspendWrites();
    }

    @Override
    public final void wakeupWrites() {
        next.wakeupWrites();
    }

    @Override
    public final boolean isWriteResumed() {
        return next.isWriteResumed();
    }

    @Override
    public final void awaitWritable() throws IOException {
        next.awaitWritable();
    }

    @Override
    public final void awaitWritable(long time, TimeUnit timeUnit) throws IOException {
        next.awaitWritable(time, timeUnit);
    }

    @Override
    public final XnioIoThread getWriteThread() {
        return next.getWriteThread();
    }

    @Override
    public final void setWriteReadyHandler(WriteReadyHandler handler) {
        next.setWriteReadyHandler(handler);
    }

    @Override
    public final void truncateWrites() throws IOException {
        next.truncateWrites();
    }

    @Override
    public final boolean flush() throws IOException {
        return next.flush();
    }

    @Override
    public final XnioWorker getWorker() {
        return next.getWorker();
    }
}
