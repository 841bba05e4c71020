package io.github.httpbandwidth;

import javax.management.ObjectName;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The rows of a handler for readers that read one MBean per row and cannot iterate a table, such as OpenTelemetry's
 * JMX Metric Insight: what {@link RowMBean}s, {@link ClientRowMBean}s and the handler's {@link TotalsRowMBean} read.
 * Each reader's collection reads every row MBean's attributes one by one; they all read one snapshot, taken at most
 * once per {@link #FRESH_NANOS}, so a collection costs one snapshot and a map lookup per attribute, not a snapshot per
 * attribute.
 *
 * <p>Clients come and go, so their MBeans are kept in step with the table here, when a snapshot is taken (on a
 * reader's thread, never on a request's): one per row of the clients' exported view ({@link ClientTable#exported}:
 * the kept clients, {@code (unidentified)}, {@code (other)}), registered when a client enters the view and
 * unregistered when it leaves it. A departed client's series ends with what its MBean had shown, and {@code (other)}
 * gets only what no client row showed, so the rows' increases still add up to the totals' as clients churn. A client
 * pushed out and admitted again between two snapshots counts afresh, from less than its MBean showed: that MBean goes
 * at once too (its reads give nothing from then on). Once a client's MBean has gone, a new one for it comes only after
 * the row hold, so that every reader that collects at least once per hold (as born at zero asks of it anyway) finds
 * the series absent before it starts again at zero, and none sees it go down: OpenTelemetry's SDK under delta
 * temporality would send a fall as a negative delta of a monotonic sum (it subtracts consecutive observations of a
 * series seen at both, per reader), Micrometer's step counters likewise. Meanwhile the client's row counts on, and
 * its new series shows what it counted since it came back once its own hold has passed. The view's
 * {@code (departed)} row, what departed rows had shown, has no MBean: their series counted it already (the JMX
 * exporter's rules leave it out for the same reason).
 */
final class ReaderRows {

    /** How long one snapshot serves the row MBeans' reads: about one collection's burst of reads. */
    static final long FRESH_NANOS = 1_000_000_000L;

    private final BandwidthStats stats;
    private final LongSupplier ticker;
    private final MBeanPublisher publisher;
    private final RowHold hold;
    private long takenAt;
    private View view;
    /**
     * The client rows that have an MBean, by name. Changed under this object's lock; read without it by
     * {@link #clientChildren()}, which the publisher calls under its own lock (this object takes the publisher's
     * lock inside its own, so the other way round would deadlock).
     */
    private final Map<String, ClientMBean> clientMBeans = new ConcurrentHashMap<>();

    /** A client row's MBean: its name, and the admission of the client it shows ({@link View#admission}). */
    private record ClientMBean(ObjectName name, long admission) {
    }

    /**
     * When each client's MBean last went (the snapshot's time), oldest first, while within the row hold: no new MBean
     * for that client until then. At most {@link #QUARANTINE_PER_ROW} times the table's rows: under a churn that fast,
     * the oldest are forgotten first. Under this object's lock.
     */
    private final LinkedHashMap<String, Long> goneAt = new LinkedHashMap<>();
    private final int quarantineCap;
    static final int QUARANTINE_PER_ROW = 4;

    ReaderRows(BandwidthStats stats, LongSupplier ticker, MBeanPublisher publisher, RowHold hold, int clientCapacity) {
        this.quarantineCap = QUARANTINE_PER_ROW * (clientCapacity + 2);
        this.stats = stats;
        this.ticker = ticker;
        this.publisher = publisher;
        this.hold = hold;
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
            Map<String, ClientSnapshot> clients = new HashMap<>();
            Map<String, Long> admissions = new HashMap<>();
            for (ClientSnapshot client : stats.exportedClients(now, admissions)) {
                clients.put(client.client(), client);
            }
            long[] totals = {snapshot.bytesReceived(), snapshot.bytesSent(), snapshot.requests(),
                    snapshot.requestSizes().sumBytes(), snapshot.responseSizes().sumBytes(), snapshot.requestsInFlight()};
            view = new View(totals, rows, classes, clients, admissions, 0);
            takenAt = now;
            keepClientMBeansInStep(view, now);
        }
        return view.at(now);
    }

    /**
     * One MBean per client row of the view: those of departed clients and of clients admitted again since unregistered,
     * new ones registered unless the client's last MBean went within the row hold (or at this very snapshot).
     */
    private void keepClientMBeansInStep(View view, long now) {
        for (Iterator<Long> i = goneAt.values().iterator(); i.hasNext(); ) {
            long gone = i.next();
            if (gone == now || hold.held(gone, now)) {
                break;
            }
            i.remove();
        }
        for (Iterator<Map.Entry<String, ClientMBean>> i = clientMBeans.entrySet().iterator(); i.hasNext(); ) {
            Map.Entry<String, ClientMBean> known = i.next();
            String client = known.getKey();
            if (!view.clients().containsKey(client) || view.admission(client) != known.getValue().admission()) {
                publisher.removeChild(known.getValue().name());
                i.remove();
                goneAt.remove(client);
                goneAt.put(client, now);
                if (goneAt.size() > quarantineCap) {
                    goneAt.remove(goneAt.keySet().iterator().next());
                }
            }
        }
        for (String client : view.clients().keySet()) {
            if (!clientMBeans.containsKey(client) && !goneAt.containsKey(client)
                    && !client.equals(ClientTable.DEPARTED)) {
                ClientMBean mbean = new ClientMBean(MBeanPublisher.clientRowName(stats.name(), client),
                        view.admission(client));
                clientMBeans.put(client, mbean);
                publisher.addChild(mbean::name, () -> new ClientRowMBean(this, hold, client, mbean.admission()));
            }
        }
    }

    /** How many clients wait for a new MBean after theirs went ({@link #goneAt}). */
    synchronized int clientsWaitingForTheirMBean() {
        return goneAt.size();
    }

    /** The client row MBeans now kept, for a registration of the handler's MBean in another server. */
    Map<ObjectName, Supplier<Object>> clientChildren() {
        Map<ObjectName, Supplier<Object>> children = new LinkedHashMap<>();
        clientMBeans.forEach((client, mbean) -> children.put(mbean.name(),
                () -> new ClientRowMBean(this, hold, client, mbean.admission())));
        return children;
    }

    /**
     * One snapshot's totals ({@link TotalsRowMBean#FIGURES}, then the exchanges in flight), its rows by endpoint name,
     * its client rows by client and the kept clients' admission numbers ({@link ClientTable#exported(RowHold, long,
     * Map)}), read at {@code now}.
     */
    record View(long[] totals, Map<String, EndpointSnapshot> rows, Map<String, StatusClassSnapshot[]> classes,
                Map<String, ClientSnapshot> clients, Map<String, Long> admissions, long now) {

        /** The admission number of a fixed row ({@code (other)}, {@code (unidentified)}), which is never admitted. */
        static final long FIXED = 0;

        View at(long time) {
            return new View(totals, rows, classes, clients, admissions, time);
        }

        /** The kept client's admission number, {@link #FIXED} for a fixed row. */
        long admission(String client) {
            return admissions.getOrDefault(client, FIXED);
        }

        /** The client's row (its figures as the exported view shows them), or null when it has none. */
        ClientSnapshot client(String client) {
            return clients.get(client);
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
