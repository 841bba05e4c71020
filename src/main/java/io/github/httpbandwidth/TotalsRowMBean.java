package io.github.httpbandwidth;

import javax.management.openmbean.SimpleType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A handler's totals as an MBean of the rows domain, {@code io.github.httpbandwidth.rows:name=<handler>,view=Totals},
 * for the readers of that domain (the OpenTelemetry Java agent through the shipped
 * {@code integrations/opentelemetry/bandwidth-otel-rules.yaml}): the figures of the handler's own MBean that such a
 * reader takes as counters, plus the exchanges in flight, from the same snapshot as the rows.
 *
 * <p>Why not the handler's own MBean: a monitor started again under the same name (a redeployment, a reload) counts
 * from 0, and a reader under delta temporality would send that fall as a negative delta. Like every MBean of the rows
 * domain, this one comes only after the row hold since such a close ({@link MBeanPublisher}), so readers find the
 * series absent in between; and its counters are born at zero as the rows are: each reads 0 from this MBean's first
 * read until the row hold has passed, so a reader that stores its first reading counts what came before it too. The
 * exchanges in flight are a level, shown as they are.
 */
final class TotalsRowMBean extends ReadOnlyOpenMBean<long[]> {

    /** The counters, in the order of {@link ReaderRows.View#totals()}. */
    static final List<String> FIGURES = List.of("BytesReceived", "BytesSent", "Requests", "RequestSizeSumBytes",
            "ResponseSizeSumBytes");
    private static final long UNSEEN = Long.MIN_VALUE;

    private final ReaderRows rows;
    private final RowHold hold;
    private long seen = UNSEEN;

    TotalsRowMBean(ReaderRows rows, RowHold hold) {
        super(SHAPE);
        this.rows = rows;
        this.hold = hold;
    }

    @Override
    synchronized long[] snapshot() {
        ReaderRows.View view = rows.view();
        long[] figures = view.totals().clone();
        if (seen == UNSEEN) {
            seen = view.now();
        }
        if (hold.held(seen, view.now())) {
            Arrays.fill(figures, 0, FIGURES.size(), 0);
        }
        return figures;
    }

    private static final Shape<long[]> SHAPE = new Shape<>(TotalsRowMBean.class.getName(), "The totals of an Undertow"
            + " handler, in the rows domain for its readers (OpenTelemetry); each counter reads 0 for the row hold after"
            + " this MBean first shows it", attributes());

    private static List<OpenAttribute<long[]>> attributes() {
        String[] what = {"Request body bytes received", "Response body bytes sent", "Completed exchanges",
                "Sum of request body sizes of completed exchanges", "Sum of response body sizes of completed exchanges"};
        Unit[] units = {Unit.BYTES, Unit.BYTES, Unit.REQUESTS, Unit.BYTES, Unit.BYTES};
        List<OpenAttribute<long[]>> all = new ArrayList<>();
        for (int f = 0; f < FIGURES.size(); f++) {
            int figure = f;
            all.add(OpenAttribute.of(FIGURES.get(f), what[f] + " (0 during the row hold)", units[f], SimpleType.LONG,
                    t -> t[figure]));
        }
        all.add(OpenAttribute.of("RequestsInFlight", "Exchanges that entered the handler and have not completed",
                Unit.REQUESTS, SimpleType.LONG, t -> t[FIGURES.size()]));
        return List.copyOf(all);
    }
}
