package io.github.httpbandwidth;

import javax.management.openmbean.SimpleType;
import java.util.ArrayList;
import java.util.List;

/**
 * One endpoint row of a handler as an MBean of its own, for readers that cannot iterate the handler's tables:
 * {@code io.github.httpbandwidth.rows:name=<handler>,endpoint=<endpoint>}, read by the OpenTelemetry Java agent
 * through the shipped {@code integrations/opentelemetry/bandwidth-otel-rules.yaml}.
 *
 * <ul>
 *   <li>{@code Endpoint}: the row's name as it is (the ObjectName quotes it where needed; a reader takes the label
 *       from this attribute, never from the ObjectName, so no name can pass for another).</li>
 *   <li>{@code BytesReceived}, {@code BytesSent}, {@code Requests}: the row's counts.</li>
 *   <li>{@code BytesReceived2xx}, {@code BytesSent2xx}, {@code Requests2xx}, and so for 1xx to 5xx: the row's counts
 *       for one response status class; null (no value, so no series) until the row has an exchange of that
 *       class.</li>
 * </ul>
 *
 * <p>Born at zero, per MBean: each figure reads 0 from this MBean's first read that finds it until the row hold has
 * passed ({@link RowHold}), then its count, so a reader that stores its first reading counts the row's first
 * exchanges. The hold is this MBean's own, not shared with the handler's tables: a reader that finds this MBean
 * late (Metric Insight looks for new MBeans once a minute) still starts it at 0.
 */
final class RowMBean extends ReadOnlyOpenMBean<RowMBean.Reading> {

    static final List<String> CLASSES = List.of("1xx", "2xx", "3xx", "4xx", "5xx");
    private static final long UNSEEN = Long.MIN_VALUE;

    private final ReaderRows rows;
    private final RowHold hold;
    private final String endpoint;
    /**
     * When this MBean first read the row (0) and each class (1 to 5); made at the first read, so the row MBeans of a
     * handler no reader reads (the JMX exporter's scrape does not) hold 64 bytes fewer each.
     */
    private long[] seen;

    RowMBean(ReaderRows rows, RowHold hold, String endpoint) {
        super(SHAPE);
        this.rows = rows;
        this.hold = hold;
        this.endpoint = endpoint;
    }

    /** The figures one read shows: the row's (held), and per status class (held, null when none yet). */
    record Reading(String endpoint, long[] row, long[][] classes) {
    }

    @Override
    synchronized Reading snapshot() {
        ReaderRows.View view = rows.view();
        EndpointSnapshot row = view.row(endpoint);
        long[] figures = row == null ? new long[3] : new long[] {row.bytesReceived(), row.bytesSent(), row.requests()};
        if (row != null && held(0, view.now())) {
            figures = new long[3];
        }
        long[][] classes = new long[CLASSES.size()][];
        for (int i = 0; i < classes.length; i++) {
            StatusClassSnapshot c = view.statusClass(endpoint, i);
            if (c != null) {
                classes[i] = held(i + 1, view.now()) ? new long[3]
                        : new long[] {c.bytesReceived(), c.bytesSent(), c.requests()};
            }
        }
        return new Reading(endpoint, figures, classes);
    }

    /** Stamps the first read of a figure; true while its hold lasts. */
    private boolean held(int slot, long now) {
        if (seen == null) {
            seen = new long[] {UNSEEN, UNSEEN, UNSEEN, UNSEEN, UNSEEN, UNSEEN};
        }
        if (seen[slot] == UNSEEN) {
            seen[slot] = now;
        }
        return hold.held(seen[slot], now);
    }

    /** One MBeanInfo for every row: the row's name is in its ObjectName and its Endpoint attribute. */
    private static final Shape<Reading> SHAPE = new Shape<>(RowMBean.class.getName(), "One endpoint row of an"
            + " Undertow handler, an MBean of its own for readers that cannot iterate tables (OpenTelemetry); each"
            + " figure reads 0 for the row hold after this MBean first shows it", attributes());

    private static List<OpenAttribute<Reading>> attributes() {
        List<OpenAttribute<Reading>> all = new ArrayList<>();
        all.add(OpenAttribute.of("Endpoint", "The row's name: a route template, (unmatched) or (overflow)", Unit.TEXT,
                SimpleType.STRING, Reading::endpoint));
        String[] names = {"BytesReceived", "BytesSent", "Requests"};
        String[] what = {"Request body bytes", "Response body bytes", "Completed exchanges"};
        Unit[] units = {Unit.BYTES, Unit.BYTES, Unit.REQUESTS};
        for (int f = 0; f < names.length; f++) {
            int figure = f;
            all.add(OpenAttribute.of(names[f], what[f] + " of this endpoint (0 during the row hold)", units[f],
                    SimpleType.LONG, r -> r.row()[figure]));
        }
        for (int c = 0; c < CLASSES.size(); c++) {
            int index = c;
            for (int f = 0; f < names.length; f++) {
                int figure = f;
                all.add(OpenAttribute.of(names[f] + CLASSES.get(c), what[f] + " of this endpoint's " + CLASSES.get(c)
                        + " responses; none until there is one (0 during its hold)", units[f], SimpleType.LONG,
                        r -> r.classes()[index] == null ? null : r.classes()[index][figure]));
            }
        }
        return List.copyOf(all);
    }
}
