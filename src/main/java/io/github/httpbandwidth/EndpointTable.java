package io.github.httpbandwidth;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.PathTemplateMatch;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The bounded set of endpoint rows: at most {@code cap} named rows, plus the fixed
 * {@value #UNMATCHED} (index 0) and {@value #OVERFLOW} (index 1) rows. Named rows get the next index.
 *
 * <p>Thread-safe. Looking up a known name is a lock-free map read; only admitting a new name, at most
 * {@code cap} times in the table's life, takes a lock. Rows are never removed, so their counters only go up.
 */
final class EndpointTable {

    /** The row of exchanges that matched no endpoint (the classifier returned {@code null} or threw anything). */
    static final String UNMATCHED = "(unmatched)";
    /** The row of exchanges whose endpoint arrived after the table was full. */
    static final String OVERFLOW = "(overflow)";

    /** The named rows; the two fixed ones are reached only by being chosen, never by name. */
    private final ConcurrentHashMap<String, Endpoint> rows = new ConcurrentHashMap<>();
    private final EndpointClassifier classifier;
    private final int cap;
    private final Endpoint unmatched = new Endpoint(UNMATCHED, 0);
    private final Endpoint overflow = new Endpoint(OVERFLOW, 1);
    private final LongAdder classifierErrors = new LongAdder();
    private final Consumer<Endpoint> admitted;
    /**
     * With the default classifier, the rows of routes behind a mount path ({@code /v1} + {@code /jobs/{id}}) by
     * their template, so that an exchange finds its row without joining the two anew (an allocation and a hash of
     * the joined name per exchange). About {@link #maxRows} templates at most (threads that miss at once may each
     * add one), {@value #MOUNTS_PER_TEMPLATE} mount paths each, none longer than a row's name; beyond them the names
     * are joined per exchange as before. {@code null} with any other classifier.
     */
    private final ConcurrentHashMap<String, Mounted[]> mountedRoutes;
    static final int MOUNTS_PER_TEMPLATE = 4;
    /** Row names by index; replaced, never changed, when a row is admitted. */
    private volatile String[] names = {UNMATCHED, OVERFLOW};
    private volatile boolean full;

    /** {@code admitted} hears of every row, the two fixed ones at once and each named one when it is admitted. */
    EndpointTable(EndpointClassifier classifier, int cap, Consumer<Endpoint> admitted) {
        this.classifier = classifier;
        this.cap = cap;
        this.mountedRoutes = classifier == RouteTemplateClassifier.INSTANCE ? new ConcurrentHashMap<>() : null;
        this.admitted = admitted;
        admitted.accept(unmatched);
        admitted.accept(overflow);
    }

    /** The most rows there can be: the named ones and the two fixed ones. */
    static int maxRows(int cap) {
        return cap + 2;
    }

    Endpoint resolve(HttpServerExchange exchange) {
        if (mountedRoutes != null) {
            return route(exchange);
        }
        String name;
        try {
            name = classifier.classify(exchange);
        } catch (Throwable e) {
            // User code: whatever it throws (an AssertionError, a StackOverflowError too), the exchange still counts.
            classifierErrors.increment();
            return unmatched;
        }
        return lookup(name);
    }

    /**
     * What {@link RouteTemplateClassifier} names, found without joining a mount path and a template that were
     * seen before. Rows are never removed and a full table stays full, so a row once found for a mount path and a
     * template stays theirs.
     */
    private Endpoint route(HttpServerExchange exchange) {
        PathTemplateMatch match = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY);
        if (match == null) {
            return unmatched;
        }
        String template = match.getMatchedTemplate();
        String mount = exchange.getResolvedPath();
        if (template == null || RouteTemplateClassifier.unmounted(mount)) {
            return lookup(template);
        }
        Mounted[] known = mountedRoutes.get(template);
        if (known != null) {
            for (Mounted m : known) {
                if (m.mount == mount || m.mount.equals(mount)) {
                    return m.row;
                }
            }
        }
        Endpoint row = lookup(RouteTemplateClassifier.join(mount, template));
        if (mount.length() <= EndpointNames.MAX_LENGTH
                && (known == null ? mountedRoutes.size() < maxRows(cap) : known.length < MOUNTS_PER_TEMPLATE)) {
            Mounted seen = new Mounted(mount, row);
            mountedRoutes.merge(template, new Mounted[] {seen}, (old, one) -> old.length < MOUNTS_PER_TEMPLATE
                    ? Mounted.with(old, seen) : old);
        }
        return row;
    }

    /** A mount path and the row its route's template has behind it. */
    private record Mounted(String mount, Endpoint row) {
        static Mounted[] with(Mounted[] known, Mounted more) {
            Mounted[] grown = Arrays.copyOf(known, known.length + 1);
            grown[known.length] = more;
            return grown;
        }
    }

    Endpoint lookup(String name) {
        if (name == null) {
            return unmatched;
        }
        Endpoint row = rows.get(name);
        if (row != null) {
            return row;
        }
        // Only names that are not a named row's exact name get here: new ones, those that need mending, and the
        // fixed rows' names, which a classifier cannot reach (an "(overflow)" of its own would raise the overflow
        // count and its alert).
        String safe = rowName(name);
        row = rows.get(safe);
        if (row != null) {
            return row;
        }
        return full ? overflow : admit(safe);
    }

    /** The row a classifier's name goes to: made safe ({@link EndpointNames}), a fixed row's name with {@code _}. */
    static String rowName(String name) {
        return EndpointNames.notFixed(EndpointNames.safe(name), UNMATCHED, OVERFLOW);
    }

    private synchronized Endpoint admit(String name) {
        Endpoint row = rows.get(name);
        if (row != null) {
            return row;
        }
        String[] current = names;
        if (current.length >= maxRows(cap)) {
            full = true;
            return overflow;
        }
        row = new Endpoint(name, current.length);
        String[] grown = Arrays.copyOf(current, current.length + 1);
        grown[row.index] = name;
        // Publish the name before the row can be found, so a reader that sees the row's counts sees its name.
        names = grown;
        rows.put(name, row);
        admitted.accept(row);
        return row;
    }

    /** The mount paths {@link #route} keeps, over all templates (tests). */
    List<String> mountsKept() {
        return mountedRoutes == null ? List.of() : mountedRoutes.values().stream()
                .flatMap(Arrays::stream).map(Mounted::mount).toList();
    }

    /** Row names by index, as admitted so far. */
    String[] names() {
        return names;
    }


    int cap() {
        return cap;
    }

    long classifierErrors() {
        return classifierErrors.sum();
    }
}
