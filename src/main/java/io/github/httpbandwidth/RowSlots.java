package io.github.httpbandwidth;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the endpoint rows' counters sit among a {@link BandwidthStats}' slots, and how a read turns them into rows.
 *
 * <p>From {@code base}, row by row index: bytes received, bytes sent and requests of the row itself, then the same
 * three for each status class, 1xx to 5xx. A completed exchange counts on its status class only, and readers add
 * the classes into the row ({@link #foldClassesIntoRows}: three writes per exchange, not six); the row's own slots
 * hold what upgraded connections move as it passes. The last minute's rates follow the row's own three slots only.
 */
final class RowSlots {

    static final int BYTES_RECEIVED = 0;
    static final int BYTES_SENT = 1;
    static final int REQUESTS = 2;
    /** The row's own three slots; its status classes' follow. */
    private static final int TOTALS = 3;
    private static final String[] STATUS_CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};
    static final int WIDTH = TOTALS * (1 + STATUS_CLASSES.length);

    /** The slot of the first row. */
    final int base;
    /** The first slot the last minute's samples take before the rows' (the histograms'). */
    private final int sampledFrom;

    RowSlots(int base, int sampledFrom) {
        this.base = base;
        this.sampledFrom = sampledFrom;
    }

    /** The first slot of the row of that index. */
    int row(int index) {
        return base + index * WIDTH;
    }

    /** The first slot of a row's status class for {@code status}: below 200 counts as 1xx, 500 and above as 5xx. */
    static int statusClass(int rowSlot, int status) {
        int statusClass = status < 200 ? 1 : status >= 500 ? 5 : status / 100;
        return rowSlot + TOTALS * statusClass;
    }

    /** How many slots {@code rowCount} rows and everything before them take. */
    int length(int rowCount) {
        return row(rowCount);
    }

    /** Adds each row's status classes into the row's own three slots. */
    void foldClassesIntoRows(long[] sums, int rowCount) {
        for (int i = 0; i < rowCount; i++) {
            int slot = row(i);
            for (int c = 1; c <= STATUS_CLASSES.length; c++) {
                for (int k = 0; k < TOTALS; k++) {
                    sums[slot + k] += sums[slot + TOTALS * c + k];
                }
            }
        }
    }

    /** The sum over every row's status classes of slot {@code which} ({@link #BYTES_RECEIVED} ...), before folding. */
    long classSum(long[] sums, int rowCount, int which) {
        long sum = 0;
        for (int i = 0; i < rowCount; i++) {
            for (int c = 1; c <= STATUS_CLASSES.length; c++) {
                sum += sums[row(i) + TOTALS * c + which];
            }
        }
        return sum;
    }

    /** The slots the last minute's rates follow: from {@code sampledFrom} to the rows, then each row's own three. */
    long[] lastMinuteSlots(long[] sums, int rowCount) {
        long[] sampled = new long[base - sampledFrom + rowCount * TOTALS];
        System.arraycopy(sums, sampledFrom, sampled, 0, base - sampledFrom);
        for (int i = 0; i < rowCount; i++) {
            System.arraycopy(sums, row(i), sampled, base - sampledFrom + i * TOTALS, TOTALS);
        }
        return sampled;
    }

    /** Where row {@code index}'s own three slots sit in {@link #lastMinuteSlots}. */
    int lastMinuteIndex(int index) {
        return base - sampledFrom + index * TOTALS;
    }

    /** One row's own three figures (bytes received, bytes sent, requests), its classes added, from its {@link #WIDTH} slots. */
    static long[] own(long[] slots) {
        long[] own = new long[TOTALS];
        for (int c = 0; c <= STATUS_CLASSES.length; c++) {
            for (int k = 0; k < TOTALS; k++) {
                own[k] += slots[TOTALS * c + k];
            }
        }
        return own;
    }

    /** A row from its own three figures and their rise ({@link RateTracker#increasesOf}: the span last). */
    static EndpointSnapshot row(String name, long[] own, long[] rise) {
        double spanSeconds = rise[TOTALS] / 1e9;
        return new EndpointSnapshot(name, own[BYTES_RECEIVED], own[BYTES_SENT], own[REQUESTS],
                rise[BYTES_RECEIVED] / spanSeconds, rise[BYTES_SENT] / spanSeconds, rise[REQUESTS] / spanSeconds);
    }

    /** The reverse of {@link #lastMinuteSlots}: each sampled slot's rise, back in its own slot. */
    long[] spread(long[] rise, int rowCount) {
        long[] risen = new long[length(rowCount)];
        System.arraycopy(rise, 0, risen, sampledFrom, base - sampledFrom);
        for (int i = 0; i < rowCount; i++) {
            System.arraycopy(rise, base - sampledFrom + i * TOTALS, risen, row(i), TOTALS);
        }
        return risen;
    }

    /** The rows, in index order, with their rates over the last minute ({@code risen} over {@code spanSeconds}). */
    List<EndpointSnapshot> rows(String[] names, long[] sums, long[] risen, double spanSeconds) {
        List<EndpointSnapshot> rows = new ArrayList<>(names.length);
        for (int i = 0; i < names.length; i++) {
            int slot = row(i);
            rows.add(new EndpointSnapshot(names[i], sums[slot + BYTES_RECEIVED], sums[slot + BYTES_SENT],
                    sums[slot + REQUESTS], risen[slot + BYTES_RECEIVED] / spanSeconds,
                    risen[slot + BYTES_SENT] / spanSeconds, risen[slot + REQUESTS] / spanSeconds));
        }
        return rows;
    }

    /** Each row's status classes that had a request. */
    List<StatusClassSnapshot> statusClasses(String[] names, long[] sums) {
        List<StatusClassSnapshot> classes = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            for (int c = 0; c < STATUS_CLASSES.length; c++) {
                int slot = row(i) + TOTALS * (1 + c);
                if (sums[slot + REQUESTS] > 0) {
                    classes.add(new StatusClassSnapshot(names[i], STATUS_CLASSES[c], sums[slot + BYTES_RECEIVED],
                            sums[slot + BYTES_SENT], sums[slot + REQUESTS]));
                }
            }
        }
        return classes;
    }
}
