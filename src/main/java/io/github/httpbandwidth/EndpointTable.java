package io.github.httpbandwidth;

import io.undertow.server.HttpServerExchange;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bounded set of endpoint rows: at most {@code cap} named rows, plus the fixed
 * {@value #UNMATCHED} and {@value #OVERFLOW} rows.
 *
 * <p>Thread-safe. Looking up a known name is a lock-free map read; only admitting a new name, at most
 * {@code cap} times in the table's life, takes a lock. Rows are never removed, so their counters only go up.
 */
final class EndpointTable {

    /** The row of exchanges that matched no endpoint (the classifier returned {@code null} or threw). */
    static final String UNMATCHED = "(unmatched)";
    /** The row of exchanges whose endpoint arrived after the table was full. */
    static final String OVERFLOW = "(overflow)";

    private static final Comparator<EndpointSnapshot> BUSIEST_FIRST =
            Comparator.comparingLong((EndpointSnapshot e) -> e.bytesReceived() + e.bytesSent()).reversed()
                    .thenComparing(EndpointSnapshot::endpoint);

    private final ConcurrentHashMap<String, EndpointCounters> rows = new ConcurrentHashMap<>();
    private final EndpointClassifier classifier;
    private final int cap;
    private final EndpointCounters unmatched = new EndpointCounters(UNMATCHED);
    private final EndpointCounters overflow = new EndpointCounters(OVERFLOW);
    private final LongAdder classifierErrors = new LongAdder();
    private int named;
    private volatile boolean full;

    EndpointTable(EndpointClassifier classifier, int cap) {
        this.classifier = classifier;
        this.cap = cap;
        rows.put(UNMATCHED, unmatched);
        rows.put(OVERFLOW, overflow);
    }

    EndpointCounters resolve(HttpServerExchange exchange) {
        String name;
        try {
            name = classifier.classify(exchange);
        } catch (RuntimeException e) {
            classifierErrors.increment();
            return unmatched;
        }
        return lookup(name);
    }

    EndpointCounters lookup(String name) {
        if (name == null) {
            return unmatched;
        }
        EndpointCounters row = rows.get(name);
        if (row != null) {
            return row;
        }
        return full ? overflow : admit(name);
    }

    private synchronized EndpointCounters admit(String name) {
        EndpointCounters row = rows.get(name);
        if (row != null) {
            return row;
        }
        if (named >= cap) {
            full = true;
            return overflow;
        }
        row = new EndpointCounters(name);
        rows.put(name, row);
        named++;
        return row;
    }

    /** Every row, busiest first (body bytes in and out), then by name. */
    List<EndpointSnapshot> snapshot() {
        List<EndpointSnapshot> result = new ArrayList<>(rows.size());
        for (EndpointCounters row : rows.values()) {
            result.add(row.snapshot());
        }
        result.sort(BUSIEST_FIRST);
        return result;
    }


    int cap() {
        return cap;
    }

    long classifierErrors() {
        return classifierErrors.sum();
    }
}
