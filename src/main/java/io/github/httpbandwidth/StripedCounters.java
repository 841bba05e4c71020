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
 * <p>Writers are lock-free; readers and a platform thread's first registration take this object's lock.
 */
final class StripedCounters {

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final MethodHandle IS_VIRTUAL = isVirtualMethod();

    /*
     * A thread's cell is held by this object's set of cells, and only weakly by the thread: a thread-local value
     * of a class of ours would keep this library's class loader alive as long as the thread lives (an Undertow IO
     * thread lives as long as the server), so an application server could never unload a deployment that counted.
     */
    private final ThreadLocal<WeakReference<Cell>> local = new ThreadLocal<>();
    private final Set<Cell> cells = ConcurrentHashMap.newKeySet();
    private final int initialWidth;
    private final int maxWidth;
    private Cell shared;
    private long[] retired = new long[0];

    /**
     * @param initialWidth slots a new cell starts with
     * @param maxWidth the most slots there will ever be (the shared cell's size)
     */
    StripedCounters(int initialWidth, int maxWidth) {
        this.initialWidth = initialWidth;
        this.maxWidth = maxWidth;
    }

    /**
     * The current thread's cell: {@code cached} when the current thread may use it, else the thread's own. A
     * cache field read and written by several threads is fine: a thread only ever uses a cell it owns.
     */
    Cell cell(Cell cached) {
        if (cached != null && cached.ownedByCurrentThread()) {
            return cached;
        }
        WeakReference<Cell> mine = local.get();
        Cell cell = mine == null ? null : mine.get();
        if (cell == null) {
            cell = register();
            local.set(new WeakReference<>(cell));
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
        private volatile long[] slots;

        private Cell(Thread owner, int width) {
            this.owner = owner;
            this.slots = new long[width];
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

        /** Whether the calling thread may use this cell: its owner, or anyone for the shared cell. */
        boolean ownedByCurrentThread() {
            return owner == null || owner == Thread.currentThread();
        }

        private long[] grow(int slot) {
            // Only the owner writes, so copying its own slots loses nothing; readers see either array, both
            // holding every value written so far.
            long[] bigger = Arrays.copyOf(slots, Math.max(slot + 1, slots.length * 2));
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
                shared = new Cell(null, maxWidth);
                cells.add(shared);
            }
            return shared;
        }
        retireEnded();
        Cell cell = new Cell(current, initialWidth);
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
        retireEnded();
        addRange(retired, sums, from, to);
        for (Cell cell : cells) {
            addRange(cell.slots, sums, from, to);
        }
    }

    private static void addRange(long[] slots, long[] sums, int from, int to) {
        int end = Math.min(to, slots.length);
        for (int i = from; i < end; i++) {
            sums[i] += (long) SLOT.getAcquire(slots, i);
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
                    retired[i] += (long) SLOT.getAcquire(slots, i);
                }
                cells.remove(cell);
            }
        }
    }

    /** Live cells, for tests of the folding. */
    synchronized int cellCount() {
        retireEnded();
        return cells.size();
    }
}
