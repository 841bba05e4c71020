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
 * JMX Metric Insight: what {@link RowMBean}s and {@link ClientRowMBean}s read. Each reader's collection reads every
 * row MBean's attributes one by one; they all read one snapshot, taken at most once per {@link #FRESH_NANOS}, so a
 * collection costs one snapshot and a map lookup per attribute, not a snapshot per attribute.
 *
 * <p>Clients come and go, so their MBeans are kept in step with the table here, when a snapshot is taken (on a
 * reader's thread, never on a request's): one per row of the clients' exported view ({@link ClientTable#exported}:
 * the kept clients, {@code (unidentified)}, {@code (other)}), registered when a client enters the view and
 * unregistered when it leaves it. A departed client's series ends with what its MBean had shown, and {@code (other)}
 * gets only what no client row showed, so the rows' increases still add up to the totals' as clients churn. The view's
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
    private final Map<String, ObjectName> clientMBeans = new ConcurrentHashMap<>();

    ReaderRows(BandwidthStats stats, LongSupplier ticker, MBeanPublisher publisher, RowHold hold) {
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
            for (ClientSnapshot client : stats.exportedClients(now)) {
                clients.put(client.client(), client);
            }
            view = new View(rows, classes, clients, 0);
            takenAt = now;
            keepClientMBeansInStep(clients);
        }
        return view.at(now);
    }

    /** One MBean per client row of the view: the new ones registered, the departed ones unregistered. */
    private void keepClientMBeansInStep(Map<String, ClientSnapshot> clients) {
        for (Iterator<Map.Entry<String, ObjectName>> i = clientMBeans.entrySet().iterator(); i.hasNext(); ) {
            Map.Entry<String, ObjectName> known = i.next();
            if (!clients.containsKey(known.getKey())) {
                publisher.removeChild(known.getValue());
                i.remove();
            }
        }
        for (String client : clients.keySet()) {
            if (!clientMBeans.containsKey(client) && !client.equals(ClientTable.DEPARTED)) {
                ObjectName name = MBeanPublisher.clientRowName(stats.name(), client);
                clientMBeans.put(client, name);
                publisher.addChild(() -> name, () -> new ClientRowMBean(this, hold, client));
            }
        }
    }

    /** The client row MBeans now kept, for a registration of the handler's MBean in another server. */
    Map<ObjectName, Supplier<Object>> clientChildren() {
        Map<ObjectName, Supplier<Object>> children = new LinkedHashMap<>();
        clientMBeans.forEach((client, name) -> children.put(name,
                () -> new ClientRowMBean(this, hold, client)));
        return children;
    }

    /** One snapshot's rows by endpoint name, and its client rows by client, read at {@code now}. */
    record View(Map<String, EndpointSnapshot> rows, Map<String, StatusClassSnapshot[]> classes,
                Map<String, ClientSnapshot> clients, long now) {

        View at(long time) {
            return new View(rows, classes, clients, time);
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
