package io.github.httpbandwidth;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** Per-thread counters: exact sums, monotonic reads while threads write, nothing lost when threads end. */
class StripedCountersTest {

    private static final int THREADS = 8;
    private static final int ADDS = 200_000;

    @Test
    void sumsAreExactMonotonicAndSurviveTheWritersEnding() throws Exception {
        StripedCounters counters = new StripedCounters(4, 101);
        CountDownLatch gate = new CountDownLatch(1);
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Thread writer = new Thread(() -> {
                awaitQuietly(gate);
                StripedCounters.Cell cell = counters.cell(null);
                for (int i = 0; i < ADDS; i++) {
                    cell.add(0, 1);
                    // Beyond the initial width: the cell grows while readers read it.
                    cell.add(100, 3);
                }
            });
            writer.start();
            writers.add(writer);
        }
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicReference<AssertionError> readerFailure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            long previous0 = 0;
            long previous100 = 0;
            while (writing.get()) {
                long[] sums = new long[101];
                counters.sumInto(sums, 0, 101);
                if (sums[0] < previous0 || sums[100] < previous100) {
                    readerFailure.set(new AssertionError("went backwards: " + sums[0] + " after " + previous0));
                    return;
                }
                previous0 = sums[0];
                previous100 = sums[100];
            }
        });
        reader.start();
        gate.countDown();
        for (Thread writer : writers) {
            writer.join();
        }
        writing.set(false);
        reader.join();

        assertThat(readerFailure.get()).isNull();
        long[] sums = new long[101];
        counters.sumInto(sums, 0, 101);
        assertThat(sums[0]).isEqualTo((long) THREADS * ADDS);
        assertThat(sums[100]).isEqualTo(3L * THREADS * ADDS);
        assertThat(counters.cellCount()).as("ended threads' cells are folded").isZero();
        long[] again = new long[101];
        counters.sumInto(again, 0, 101);
        assertThat(again).isEqualTo(sums);
    }

    @Test
    void aRangeReadsOnlyItsSlots() {
        StripedCounters counters = new StripedCounters(8, 8);
        StripedCounters.Cell cell = counters.cell(null);
        cell.add(1, 5);
        cell.add(2, 7);

        long[] sums = new long[8];
        counters.sumInto(sums, 2, 8);

        assertThat(sums).containsExactly(0, 0, 7, 0, 0, 0, 0, 0);
        assertThat(cell.ownedByCurrentThread()).isTrue();
    }

    /**
     * A thread's cell is found first by its thread id modulo a table's size; a live thread whose id shares that slot
     * with another's counts on a cell of its own, never on the other thread's.
     */
    @Test
    void threadsWhoseIdsShareASlotCountEachOnTheirOwnCell() throws Exception {
        StripedCounters counters = new StripedCounters(4, 4);
        CountDownLatch firstCounted = new CountDownLatch(1);
        CountDownLatch secondDone = new CountDownLatch(1);
        AtomicReference<StripedCounters.Cell> firstCell = new AtomicReference<>();
        Thread first = new Thread(() -> {
            StripedCounters.Cell cell = counters.cell(null);
            cell.add(0, 1);
            firstCell.set(cell);
            firstCounted.countDown();
            awaitQuietly(secondDone);
            assertThat(counters.cell(null)).isSameAs(cell);
            cell.add(0, 1);
        });
        Thread second;
        do {
            second = new Thread(() -> {
                try {
                    StripedCounters.Cell cell = counters.cell(null);
                    assertThat(cell.ownerThread()).isSameAs(Thread.currentThread());
                    for (int i = 0; i < 1_000; i++) {
                        counters.cell(null).add(0, 10);
                    }
                    assertThat(counters.cell(null)).isSameAs(cell);
                } finally {
                    secondDone.countDown();
                }
            });
        } while ((second.getId() - first.getId()) % StripedCounters.BY_THREAD_ID != 0);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        first.setUncaughtExceptionHandler((t, e) -> failure.set(e));
        second.setUncaughtExceptionHandler((t, e) -> failure.set(e));
        first.start();
        firstCounted.await();
        second.start();
        second.join();
        first.join();

        assertThat(failure.get()).isNull();
        assertThat(firstCell.get().ownerThread()).isSameAs(first);
        long[] sums = new long[4];
        counters.sumInto(sums, 0, 4);
        assertThat(sums[0]).isEqualTo(2 + 10_000);
    }

    /** The table that finds a thread's cell by its id lets go of the cell, and so of the thread, when it ends. */
    @Test
    void anEndedThreadIsNotHeldByTheCounters() throws Exception {
        StripedCounters counters = new StripedCounters(4, 4);
        Thread writer = new Thread(() -> counters.cell(null).add(0, 5));
        writer.start();
        writer.join();
        assertThat(counters.cellCount()).as("the ended thread's cell is folded").isZero();
        java.lang.ref.WeakReference<Thread> ended = new java.lang.ref.WeakReference<>(writer);
        writer = null;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (ended.get() != null && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(10);
        }
        assertThat(ended.get()).as("the ended thread, reachable from the counters").isNull();
        long[] sums = new long[4];
        counters.sumInto(sums, 0, 4);
        assertThat(sums[0]).isEqualTo(5);
    }

    private static void awaitQuietly(CountDownLatch gate) {
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
