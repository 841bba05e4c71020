package io.github.httpbandwidth;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A row of {@code long} counters ("slots") that request threads add to without any atomic read-modify-write, and
 * that readers sum.
 *
 * <p>Each writing thread owns a {@link Cell}, an array of slots that only it writes: an add is a plain read and an
 * ordered ({@code setRelease}) store of its own slot, so it never contends and never spins. A reader sums each
 * slot over all cells with acquire loads; a slot's sum only goes up. Cells of threads that have ended are folded
 * into a retired total by readers and when a new thread registers, so their number stays that of live writing
 * threads (Undertow's IO and worker threads). Slots are created on demand: a cell grows when its owner first
 * writes a higher slot.
 *
 * <p>Virtual threads (Java 21) come and go with single tasks, so they do not get a cell each: they share one
 * cell that is updated with atomic adds, sized for every slot up front.
 *
 * <p>Some slots may hold stamped maxima instead of sums (see {@link Cell#stampedMax(int, long, int, long)}): a stamp in the top
 * {@value #STAMP_BITS} bits, a value below it. Readers visit those slots cell by cell ({@link #visit}), and a cell
 * of a thread that ended is folded into the retired row by keeping the newer stamp's value, or the larger value
 * of the same stamp.
 *
 * <p>Writers are lock-free; readers and a platform thread's first registration take this object's lock.
 */
final class StripedCounters {

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle CHUNK = MethodHandles.arrayElementVarHandle(long[][].class);
    private static final VarHandle CELL = MethodHandles.arrayElementVarHandle(Cell[].class);
    /**
     * Unwritten slots at the end of every thread's row: 128 bytes, two cache lines, between the last slot a thread
     * writes and whatever the heap puts after its array (another thread's row, after a GC has moved them together).
     */
    static final int PAD = 16;
    private static final MethodHandle IS_VIRTUAL = isVirtualMethod();

    /*
     * A thread's cell is held by this object's set of cells, and only weakly by the thread: a thread-local value
     * of a class of ours would keep this library's class loader alive as long as the thread lives (an Undertow IO
     * thread lives as long as the server), so an application server could never unload a deployment that counted.
     */
    private final ThreadLocal<WeakReference<Cell>> local = new ThreadLocal<>();
    /*
     * The cells of platform threads again, by thread id modulo the table's size: the first place a count looks, three
     * dependent loads (the thread, its id, the slot) where the ThreadLocal takes six (its map, table, entry, the
     * entry's referent check, its value, the weak reference's referent). A slot is claimed by the first thread of its
     * ids to find it empty and freed when that thread's cell is retired; a thread whose slot is another's uses the
     * ThreadLocal. Written only then, so request threads only ever read it.
     */
    private final Cell[] byThreadId = new Cell[BY_THREAD_ID];
    /**
     * Slots of {@link #byThreadId}, 4 KB: a power of 2, more than Undertow's threads at its defaults on 64 cores (64 IO
     * and 512 worker threads), whose ids are mostly consecutive.
     */
    static final int BY_THREAD_ID = 1024;
    private final Set<Cell> cells = ConcurrentHashMap.newKeySet();
    private final int initialWidth;
    private final int maxWidth;
    private final int stampedFrom;
    private final int stampedTo;
    private final Object owner;
    private Cell shared;
    private long[] retired = new long[0];
    /** The chunks ({@link Cell#chunk}) of threads that have ended, folded ({@link #chunks}); {@code null} until one. */
    private long[][] retiredChunks;
    /** How many chunks a cell may have, and how a chunk of an ended thread is folded into the retired ones. */
    private final int chunkCount;
    private final java.util.function.Supplier<long[]> newChunk;
    private final ChunkFold chunkFold;

    /** Folds one chunk of an ended thread into the retired chunk of the same index. */
    interface ChunkFold {
        void fold(long[] into, long[] from);
    }

    /** Counters with no stamped slots and no owner. */
    StripedCounters(int initialWidth, int maxWidth) {
        this(initialWidth, maxWidth, 0, 0, null);
    }

    /** Bits of a stamped slot that hold the stamp; the value takes the rest. */
    static final int STAMP_BITS = 24;
    static final int VALUE_BITS = Long.SIZE - STAMP_BITS;
    static final long VALUE_MASK = (1L << VALUE_BITS) - 1;
    private static final int STAMP_MASK = (1 << STAMP_BITS) - 1;

    /**
     * @param initialWidth slots a new cell starts with
     * @param maxWidth the most slots there will ever be (the shared cell's size)
     * @param stampedFrom the first slot holding stamped maxima
     * @param stampedTo the slot after the last one holding stamped maxima (equal to {@code stampedFrom}: none)
     * @param owner what the counters belong to, reachable from each cell (so a holder of a cell needs no other
     *         reference to it)
     */
    StripedCounters(int initialWidth, int maxWidth, int stampedFrom, int stampedTo, Object owner) {
        this(initialWidth, maxWidth, stampedFrom, stampedTo, owner, 0, null, null);
    }

    /**
     * As above, each cell also having up to {@code chunkCount} chunks ({@link Cell#chunk}) made by {@code newChunk}
     * and folded by {@code chunkFold} when their thread ends.
     */
    StripedCounters(int initialWidth, int maxWidth, int stampedFrom, int stampedTo, Object owner, int chunkCount,
                    java.util.function.Supplier<long[]> newChunk, ChunkFold chunkFold) {
        this.chunkCount = chunkCount;
        this.newChunk = newChunk;
        this.chunkFold = chunkFold;
        this.initialWidth = initialWidth;
        this.maxWidth = maxWidth;
        this.stampedFrom = stampedFrom;
        this.stampedTo = stampedTo;
        this.owner = owner;
    }

    /** {@code stamp} (wrapped to {@value #STAMP_BITS} bits) and {@code value} (at most {@link #VALUE_MASK}). */
    static long stamped(int stamp, long value) {
        return ((long) (stamp & STAMP_MASK) << VALUE_BITS) | Math.min(value, VALUE_MASK);
    }

    static int stampOf(long stamped) {
        return (int) (stamped >>> VALUE_BITS);
    }

    static long valueOf(long stamped) {
        return stamped & VALUE_MASK;
    }

    /** Of two stamped maxima, the one with the newer stamp (stamps wrap around), or the larger of one stamp. */
    static long newerOrLarger(long a, long b) {
        // 0 is an empty slot, whatever its stamp would say.
        if (a == 0 || b == 0) {
            return a | b;
        }
        int ageOfB = (stampOf(a) - stampOf(b)) & STAMP_MASK;
        if (ageOfB == 0) {
            return Math.max(a, b);
        }
        return ageOfB < (1 << (STAMP_BITS - 1)) ? a : b;
    }

    /** Receives the value of one slot of one row (a cell, or the retired total). */
    interface SlotVisitor {
        void visit(int slot, long value);
    }

    /** Shows {@code visitor} every slot in {@code [from, to)} of the retired total and of each cell. */
    synchronized void visit(int from, int to, SlotVisitor visitor) {
        retireEnded();
        visitRange(retired, from, to, visitor);
        for (Cell cell : cells) {
            visitRange(cell.slots, from, to, visitor);
        }
    }

    private static void visitRange(long[] slots, int from, int to, SlotVisitor visitor) {
        int end = Math.min(to, slots.length);
        for (int i = from; i < end; i++) {
            visitor.visit(i, (long) SLOT.getAcquire(slots, i));
        }
    }

    /**
     * The current thread's cell: {@code cached} when the current thread may use it, else the thread's own. A
     * cache field read and written by several threads is fine: a thread only ever uses a cell it owns.
     */
    Cell cell(Cell cached) {
        if (cached != null && cached.ownedByCurrentThread()) {
            return cached;
        }
        Thread current = Thread.currentThread();
        // A plain read: a cell seen here has its final owner set; a stale slot only sends this thread the long way.
        Cell cell = byThreadId[slotOf(current)];
        return cell != null && cell.owner == current ? cell : cellOf(current);
    }

    private static int slotOf(Thread thread) {
        return (int) thread.getId() & (BY_THREAD_ID - 1);
    }

    /** The thread's cell through its ThreadLocal, registered on its first count; claims its slot when free. */
    private Cell cellOf(Thread current) {
        WeakReference<Cell> mine = local.get();
        Cell cell = mine == null ? null : mine.get();
        if (cell == null) {
            cell = register();
            local.set(new WeakReference<>(cell));
        }
        int slot = slotOf(current);
        // Read before the compare-and-set: a failing one would still take the slot's cache line from every reader.
        if (cell.owner != null && byThreadId[slot] == null) {
            CELL.compareAndSet(byThreadId, slot, (Cell) null, cell);
        }
        return cell;
    }

    /** One thread's slots, written by that thread only; or the shared cell, written with atomic adds. */
    static final class Cell {
        /*
         * The owner, strongly: the check below runs on every counted call, and a Reference.get() there is a
         * measurable part of recording an exchange. A finished thread's object is kept only until the next read
         * or registration folds its cell.
         */
        private final Thread owner;
        private final StripedCounters counters;
        /** The counters' owner, copied here: one load fewer on every counted call that needs it. */
        private final Object countersOwner;
        private volatile long[] slots;
        /** Chunks by index, each made on its first use ({@link #chunk}); {@code null} when the counters have none. */
        private final long[][] chunks;
        /** What the counters' owner keeps per thread beside the slots (the top clients' buffer); owner thread only. */
        private Object companion;
        /** The tally inside a read of a request body on the owner thread, if any; owner thread only. */
        private Object reading;

        private Cell(Thread owner, StripedCounters counters, int width) {
            this.owner = owner;
            this.counters = counters;
            this.countersOwner = counters.owner;
            this.slots = new long[width + PAD];
            this.chunks = counters.chunkCount == 0 ? null : new long[counters.chunkCount][];
        }

        /**
         * Chunk {@code index} of this cell, made empty on its first use: on the owner thread (or any thread, for the
         * shared cell). Write it with {@link StripedCounters#add(long[], int, long)} and {@link #set} on the owner
         * thread, with the atomic helpers on the shared cell.
         */
        long[] chunk(int index) {
            long[] chunk = chunks[index];
            return chunk != null ? chunk : newChunk(index);
        }

        private long[] newChunk(int index) {
            long[] made = counters.newChunk.get();
            if (owner != null) {
                CHUNK.setRelease(chunks, index, made);
                return made;
            }
            long[] witness = (long[]) CHUNK.compareAndExchange(chunks, index, (long[]) null, made);
            return witness != null ? witness : made;
        }

        /** The owner given to the counters this cell belongs to. */
        Object countersOwner() {
            return countersOwner;
        }

        Object companion() {
            return companion;
        }

        void companion(Object companion) {
            this.companion = companion;
        }

        Object reading() {
            return reading;
        }

        void reading(Object tally) {
            this.reading = tally;
        }

        /** The thread that owns this cell; {@code null} for the cell virtual threads share. */
        Thread ownerThread() {
            return owner;
        }

        /** The calling thread's cell of the same counters: this one when the calling thread may use it. */
        Cell forCurrentThread() {
            return ownedByCurrentThread() ? this : counters.cell(null);
        }

        void add(int slot, long delta) {
            long[] s = slots;
            if (owner == null) {
                SLOT.getAndAdd(s, slot, delta);
                return;
            }
            if (slot >= s.length) {
                s = grow(slot);
            }
            SLOT.setRelease(s, slot, s[slot] + delta);
        }

        /**
         * The owner thread's slots, grown to hold {@code highestSlot}, for several writes with {@link #add(long[], int,
         * long)} and {@link #raise(long[], int, long)}: one read of the row and one check for all of them. {@code null}
         * for the cell virtual threads share, whose writes must go through {@link #add(int, long)}. Owner thread only.
         */
        long[] owned(int highestSlot) {
            if (owner == null) {
                return null;
            }
            long[] s = slots;
            return highestSlot < s.length ? s : grow(highestSlot);
        }

        /**
         * Keeps {@code stampedA} in {@code slotA} and {@code stampedB} in {@code slotB} (see
         * {@link StripedCounters#stamped}) where the slot holds another stamp, or the same stamp with a smaller
         * value: a maximum per stamp, restarted when the stamp moves on. Two slots in one call, so the row is read
         * once; one comparison each when nothing changes. The shared cell retries a compare-and-set only while it
         * would raise.
         */
        void stampedMax(int slotA, long stampedA, int slotB, long stampedB) {
            long[] s = slots;
            int highest = Math.max(slotA, slotB);
            if (highest >= s.length) {
                s = grow(highest);
            }
            raise(s, slotA, stampedA);
            raise(s, slotB, stampedB);
        }

        private void raise(long[] s, int slot, long stamped) {
            long current = (long) SLOT.getOpaque(s, slot);
            while (stampOf(current) != stampOf(stamped) || stamped > current) {
                if (owner != null) {
                    SLOT.setRelease(s, slot, stamped);
                    return;
                }
                long witness = (long) SLOT.compareAndExchange(s, slot, current, stamped);
                if (witness == current) {
                    return;
                }
                current = witness;
            }
        }

        /** Whether the calling thread may use this cell: its owner, or anyone for the shared cell. */
        boolean ownedByCurrentThread() {
            return owner == null || owner == Thread.currentThread();
        }

        private long[] grow(int slot) {
            // Only the owner writes, so copying its own slots loses nothing; readers see either array, both
            // holding every value written so far.
            long[] bigger = Arrays.copyOf(slots, Math.max(slot + 1 + PAD, slots.length * 2));
            slots = bigger;
            return bigger;
        }

        private boolean ended() {
            return owner != null && !owner.isAlive();
        }
    }

    private synchronized Cell register() {
        Thread current = Thread.currentThread();
        if (isVirtual(current)) {
            if (shared == null) {
                shared = new Cell(null, this, maxWidth);
                cells.add(shared);
            }
            return shared;
        }
        retireEnded();
        Cell cell = new Cell(current, this, initialWidth);
        cells.add(cell);
        return cell;
    }

    private static boolean isVirtual(Thread thread) {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (boolean) IS_VIRTUAL.invokeExact(thread);
        } catch (Throwable e) {
            return false;
        }
    }

    /** {@code Thread.isVirtual()} where the runtime has it (Java 21+); this library compiles for Java 17. */
    private static MethodHandle isVirtualMethod() {
        try {
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual",
                    MethodType.methodType(boolean.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }

    /**
     * Adds each slot in {@code [from, to)} of every cell, and of the retired total, into {@code sums} (which
     * must be at least {@code to} long). Callers that need one slot read after others call this twice.
     */
    synchronized void sumInto(long[] sums, int from, int to) {
        sumInto(sums, from, to, 0);
    }

    /** As {@link #sumInto(long[], int, int)}, slot {@code i} going to {@code sums[i - offset]}. */
    synchronized void sumInto(long[] sums, int from, int to, int offset) {
        retireEnded();
        addRange(retired, sums, from, to, offset);
        for (Cell cell : cells) {
            addRange(cell.slots, sums, from, to, offset);
        }
    }

    private static void addRange(long[] slots, long[] sums, int from, int to, int offset) {
        int end = Math.min(to, slots.length);
        for (int i = from; i < end; i++) {
            sums[i - offset] += (long) SLOT.getAcquire(slots, i);
        }
    }

    /** A store to a slot of an owned row or chunk, on its owner thread. */
    static void set(long[] owned, int slot, long value) {
        SLOT.setRelease(owned, slot, value);
    }

    static long getAcquire(long[] slots, int slot) {
        return (long) SLOT.getAcquire(slots, slot);
    }

    static long getVolatile(long[] slots, int slot) {
        return (long) SLOT.getVolatile(slots, slot);
    }

    static long compareAndExchange(long[] slots, int slot, long expected, long value) {
        return (long) SLOT.compareAndExchange(slots, slot, expected, value);
    }

    static void addAtomically(long[] slots, int slot, long delta) {
        SLOT.getAndAdd(slots, slot, delta);
    }

    /**
     * Every chunk index's chunks, of the cells and of the threads that ended, folded into one (by the fold given
     * at construction); {@code null} where no thread made that chunk.
     */
    synchronized long[][] chunks() {
        retireEnded();
        long[][] folded = new long[chunkCount][];
        if (retiredChunks != null) {
            foldChunks(folded, retiredChunks);
        }
        for (Cell cell : cells) {
            foldChunks(folded, cell.chunks);
        }
        return folded;
    }

    private void foldChunks(long[][] into, long[][] from) {
        for (int c = 0; c < chunkCount; c++) {
            long[] chunk = (long[]) CHUNK.getAcquire(from, c);
            if (chunk != null) {
                if (into[c] == null) {
                    into[c] = newChunk.get();
                }
                chunkFold.fold(into[c], chunk);
            }
        }
    }

    /** An add to a slot of a row from {@link Cell#owned}, on its owner thread. */
    static void add(long[] owned, int slot, long delta) {
        SLOT.setRelease(owned, slot, owned[slot] + delta);
    }

    /** {@link Cell#stampedMax} for one slot of a row from {@link Cell#owned}, on its owner thread. */
    static void raise(long[] owned, int slot, long stamped) {
        long current = owned[slot];
        if (stampOf(current) != stampOf(stamped) || stamped > current) {
            SLOT.setRelease(owned, slot, stamped);
        }
    }

    /** A thread that has ended (isAlive() false: its writes are visible) writes no more; fold its cell. */
    private void retireEnded() {
        for (Cell cell : cells) {
            if (cell.ended()) {
                long[] slots = cell.slots;
                if (slots.length > retired.length) {
                    retired = Arrays.copyOf(retired, slots.length);
                }
                for (int i = 0; i < slots.length; i++) {
                    long value = (long) SLOT.getAcquire(slots, i);
                    retired[i] = i >= stampedFrom && i < stampedTo ? newerOrLarger(retired[i], value)
                            : retired[i] + value;
                }
                if (cell.chunks != null) {
                    if (retiredChunks == null) {
                        retiredChunks = new long[chunkCount][];
                    }
                    foldChunks(retiredChunks, cell.chunks);
                }
                cells.remove(cell);
                CELL.compareAndSet(byThreadId, slotOf(cell.owner), cell, (Cell) null);
            }
        }
    }

    /** Live cells, for tests of the folding. */
    synchronized int cellCount() {
        retireEnded();
        return cells.size();
    }
}
