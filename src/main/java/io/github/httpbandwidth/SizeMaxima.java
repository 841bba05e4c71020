package io.github.httpbandwidth;

/**
 * The largest request and response body of completed exchanges, since counting started and over the last minute,
 * kept exactly and without a lock or an atomic operation on the request thread.
 *
 * <p>Each thread's counter cell has a ring of {@value #RING} stamped slots per direction, one per 5-second tick of
 * {@link RateTracker}: a completion keeps the larger body in the slot of the current tick, and the first completion
 * of a tick overwrites what the slot held {@value #RING} ticks before. The current tick is this object's epoch,
 * which only the background sampler and readers move on, so a request thread never reads a clock. The last minute
 * is the current tick and the {@value #WINDOW_TICKS} before it: 60 to 65 seconds. A reader folds every slot it sees
 * into the since-start maxima before it moves the epoch on, so no slot is overwritten before it was folded.
 *
 * <p>The window needs the epoch to move: the background sampler does that every tick while the MBean is
 * registered; without it, readers move it when they read. Sizes above 2<sup>40</sup> - 1 bytes (1 TiB) are kept
 * as that.
 *
 * <p>Stamps are the tick modulo 2<sup>24</sup>, so they repeat every 2<sup>24</sup> ticks (about 2.7 years). A slot
 * is rewritten whenever its thread completes an exchange in a tick of that slot, so an old size can pass for a
 * recent one only if a thread stays alive without completing anything in that slot's ticks for 2.7 years and is
 * read within the minute that is exactly 2<sup>24</sup> ticks later; even then only the console's last-minute
 * largest size shows a size this handler did see, never more than the since-start largest. Harmless, and left so.
 */
final class SizeMaxima {

    static final int RING = 16;
    static final int WINDOW_TICKS = 12;
    /** Slots taken in a cell: a ring per direction. */
    static final int WIDTH = 2 * RING;

    private final int requestRing;
    private final int responseRing;
    private volatile int epoch;
    private long largestRequestBytes;
    private long largestResponseBytes;

    /** Rings in the counter slots from {@code base}. */
    SizeMaxima(int base) {
        this.requestRing = base;
        this.responseRing = base + RING;
    }

    /** Called on the cell's owner thread when an exchange completes. */
    void record(StripedCounters.Cell cell, long requestBytes, long responseBytes) {
        int e = epoch;
        int slot = e & (RING - 1);
        cell.stampedMax(requestRing + slot, StripedCounters.stamped(e, requestBytes),
                responseRing + slot, StripedCounters.stamped(e, responseBytes));
    }

    /** {@link #record(StripedCounters.Cell, long, long)} into the owner thread's row ({@link StripedCounters.Cell#owned}). */
    void record(long[] owned, long requestBytes, long responseBytes) {
        int e = epoch;
        int slot = e & (RING - 1);
        StripedCounters.raise(owned, requestRing + slot, StripedCounters.stamped(e, requestBytes));
        StripedCounters.raise(owned, responseRing + slot, StripedCounters.stamped(e, responseBytes));
    }

    /** Moves the epoch on to {@code tick} (ticks since the start), folding every slot first. */
    synchronized void advance(StripedCounters counters, long tick) {
        int next = (int) tick;
        if (next - epoch > 0) {
            read(counters);
            epoch = next;
        }
    }

    /**
     * The largest request and response body since the start, then over the last minute, in bytes:
     * {@code {request, response, request in the last minute, response in the last minute}}.
     */
    synchronized long[] read(StripedCounters counters) {
        int current = epoch;
        long[] largest = new long[4];
        counters.visit(requestRing, responseRing + RING, (slot, stamped) -> {
            int direction = slot < responseRing ? 0 : 1;
            long bytes = StripedCounters.valueOf(stamped);
            largest[direction] = Math.max(largest[direction], bytes);
            int age = (current - StripedCounters.stampOf(stamped)) & ((1 << StripedCounters.STAMP_BITS) - 1);
            if (stamped != 0 && age <= WINDOW_TICKS) {
                largest[2 + direction] = Math.max(largest[2 + direction], bytes);
            }
        });
        largestRequestBytes = Math.max(largestRequestBytes, largest[0]);
        largestResponseBytes = Math.max(largestResponseBytes, largest[1]);
        largest[0] = largestRequestBytes;
        largest[1] = largestResponseBytes;
        return largest;
    }
}
