package io.github.httpbandwidth;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The rows of a handler for readers that read one MBean per row and cannot iterate a table, such as OpenTelemetry's
 * JMX Metric Insight: what {@link RowMBean}s read. Each reader's collection reads every row MBean's attributes one by
 * one; they all read one snapshot, taken at most once per {@link #FRESH_NANOS}, so a collection costs one snapshot
 * and a map lookup per attribute, not a snapshot per attribute.
 */
final class ReaderRows {

    /** How long one snapshot serves the row MBeans' reads: about one collection's burst of reads. */
    static final long FRESH_NANOS = 1_000_000_000L;

    private final BandwidthStats stats;
    private final LongSupplier ticker;
    private long takenAt;
    private View view;

    ReaderRows(BandwidthStats stats, LongSupplier ticker) {
        this.stats = stats;
        this.ticker = ticker;
    }

    /** The rows as of a snapshot at most {@link #FRESH_NANOS} old, and the time now. */
    synchronized View view() {
        long now = ticker.getAsLong();
        if (view == null || now - takenAt >= FRESH_NANOS) {
            BandwidthSnapshot snapshot = stats.snapshot();
            Map<String, EndpointSnapshot> rows = new HashMap<>();
            for (EndpointSnapshot row : snapshot.endpoints()) {
                rows.put(row.endpoint(), row);
            }
            Map<String, StatusClassSnapshot[]> classes = new HashMap<>();
            for (StatusClassSnapshot c : snapshot.statusClasses()) {
                classes.computeIfAbsent(c.endpoint(), e -> new StatusClassSnapshot[RowMBean.CLASSES.size()])
                        [RowMBean.CLASSES.indexOf(c.statusClass())] = c;
            }
            view = new View(rows, classes);
            takenAt = now;
        }
        return view.at(now);
    }

    /** One snapshot's rows by endpoint name, read at {@code now}. */
    record View(Map<String, EndpointSnapshot> rows, Map<String, StatusClassSnapshot[]> classes, long now) {

        View(Map<String, EndpointSnapshot> rows, Map<String, StatusClassSnapshot[]> classes) {
            this(rows, classes, 0);
        }

        View at(long time) {
            return new View(rows, classes, time);
        }

        /** The endpoint's row, or null when the snapshot had none. */
        EndpointSnapshot row(String endpoint) {
            return rows.get(endpoint);
        }

        /** The endpoint's figures for one status class (index in {@link RowMBean#CLASSES}), or null if none yet. */
        StatusClassSnapshot statusClass(String endpoint, int index) {
            StatusClassSnapshot[] of = classes.get(endpoint);
            return of == null ? null : of[index];
        }
    }
}
