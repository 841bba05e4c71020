package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import javax.management.InstanceNotFoundException;
import javax.management.MBeanServer;
import javax.management.MBeanServerDelegate;
import javax.management.MBeanServerNotification;
import javax.management.MalformedObjectNameException;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.relation.MBeanServerNotificationFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * The bandwidth metrics as Micrometer meters, for {@code /actuator/metrics} and Micrometer's registries other than
 * Prometheus's (OTLP, Datadog and the like), with the names and attributes of the OpenTelemetry rules
 * ({@code integrations/opentelemetry/bandwidth-otel-rules.yaml}): {@code undertow.bandwidth.body.io} by
 * {@code network.io.direction}, {@code undertow.bandwidth.requests}, {@code .requests.active},
 * {@code .request.body.size.sum}, {@code .response.body.size.sum}; per route {@code undertow.bandwidth.route.body.io}
 * and {@code .route.requests} by {@code http.route}, and {@code .route.status.*} by
 * {@code http.response.status_class}; per top client {@code undertow.bandwidth.client.body.io} and
 * {@code .client.requests} by {@code client}; each with {@code handler}.
 *
 * <p>It reads what the OpenTelemetry agent reads, the handler's MBeans: the handler's own, and one per endpoint row and
 * per top client in {@code io.github.httpbandwidth.rows}, whose meters it adds when their MBean is registered and
 * removes when it goes (clients come and go; routes stay). A route's status classes get their meters when a read of the
 * route's meters finds the class on the row's MBean ({@link RouteClasses}): only the classes the route answered with,
 * as the agent gives series only for those. A row's route or client is its ObjectName's key, unquoted
 * when quoted (the library quotes exactly the values that hold a character an ObjectName value cannot, and a value it
 * leaves as it is never starts with a quote, so no name can pass for another); the MBean is not read then: its
 * registration may come on a request's thread under the library's own locks, which a read would take in the other
 * order. Reading a row's MBean reads a snapshot at most a second old, so a registry's collection costs one snapshot,
 * not one per meter. Kept off Actuator's Prometheus registry, where the shipped rules already give these figures as
 * {@code scheduler_http_*}.
 */
final class BandwidthMeters implements MeterBinder, NotificationListener, AutoCloseable {

    static final String PREFIX = "undertow.bandwidth.";
    private static final Log LOG = LogFactory.getLog(BandwidthMeters.class);
    private static final String[] CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};
    private static final String BODY_IO = "HTTP body bytes (request bodies received, response bodies transmitted)";
    private static final String ROUTE_BYTES = "HTTP body bytes per route, counted when each exchange completes";
    private static final String STATUS_BYTES = "HTTP body bytes per route and response status class";
    private static final String STATUS_REQUESTS = "Completed HTTP exchanges per route and response status class";

    private final MBeanServer server;
    private final ObjectName handler;
    private final String name;
    private final ObjectName rows;
    private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();
    /** The meters of each row MBean, by registry. */
    private final Map<MeterRegistry, Map<ObjectName, List<Meter>>> rowMeters = new ConcurrentHashMap<>();
    private volatile boolean listening;
    /** Registries that get none of the meters (Actuator's Prometheus registry, while the rules are in it). */
    private final Predicate<MeterRegistry> leftOut;

    BandwidthMeters(BandwidthStats stats, MBeanServer server) {
        this(stats, server, registry -> false);
    }

    BandwidthMeters(BandwidthStats stats, MBeanServer server, Predicate<MeterRegistry> leftOut) {
        this.leftOut = leftOut;
        this.server = server;
        this.handler = stats.objectName();
        this.name = stats.name();
        try {
            // The handler's name is validated to need no quoting in an ObjectName.
            this.rows = new ObjectName(BandwidthStats.JMX_DOMAIN + ".rows:name=" + name + ",*");
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("bandwidth.name: " + name + " does not form an ObjectName", e);
        }
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        if (leftOut.test(registry)) {
            // Its filter would refuse every meter, and the refused ones would still be held here: about 4.7 KB per
            // route at the default caps, for nothing.
            return;
        }
        Tags tags = Tags.of("handler", name);
        perRow(new ArrayList<>(), registry, "", BODY_IO, "Completed HTTP exchanges", tags, handler, "");
        Gauge.builder(PREFIX + "requests.active", server, s -> read(s, handler, "RequestsInFlight"))
                .description("HTTP exchanges that entered the handler and have not completed")
                .tags(tags).register(registry);
        bytes(registry, "request.body.size.sum", "Sum of the request body sizes of completed exchanges", tags, handler,
                "RequestSizeSumBytes");
        bytes(registry, "response.body.size.sum", "Sum of the response body sizes of completed exchanges", tags,
                handler, "ResponseSizeSumBytes");
        registries.add(registry);
        rowMeters.put(registry, new ConcurrentHashMap<>());
        synchronized (this) {
            if (!listening) {
                try {
                    MBeanServerNotificationFilter filter = new MBeanServerNotificationFilter();
                    filter.enableAllObjectNames();
                    server.addNotificationListener(MBeanServerDelegate.DELEGATE_NAME, this, filter, null);
                    listening = true;
                } catch (InstanceNotFoundException e) {
                    LOG.warn("Route and client meters are not kept up to date: " + e);
                }
            }
        }
        for (ObjectName row : server.queryNames(rows, null)) {
            add(registry, row);
        }
    }

    @Override
    public void handleNotification(Notification notification, Object handback) {
        // On the thread that registered the MBean, perhaps a request's: it must never throw.
        try {
            if (!(notification instanceof MBeanServerNotification registration)
                    || !rows.apply(registration.getMBeanName())) {
                return;
            }
            ObjectName row = registration.getMBeanName();
            for (MeterRegistry registry : registries) {
                if (MBeanServerNotification.REGISTRATION_NOTIFICATION.equals(registration.getType())) {
                    add(registry, row);
                } else if (MBeanServerNotification.UNREGISTRATION_NOTIFICATION.equals(registration.getType())) {
                    remove(registry, row);
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("A row's meters could not be updated", e);
        }
    }

    private void add(MeterRegistry registry, ObjectName row) {
        Map<ObjectName, List<Meter>> byRow = rowMeters.get(registry);
        if (byRow == null || byRow.containsKey(row)) {
            return;
        }
        List<Meter> meters = new CopyOnWriteArrayList<>();
        Tags tags = Tags.of("handler", name);
        try {
            if (row.getKeyProperty("endpoint") != null) {
                Tags route = tags.and("http.route", label(row, "endpoint"));
                RouteClasses classes = new RouteClasses(registry, row, route, meters);
                meters.add(bytes(registry, "route.body.io", ROUTE_BYTES, route.and("network.io.direction", "receive"),
                        row, "BytesReceived", classes));
                meters.add(bytes(registry, "route.body.io", ROUTE_BYTES, route.and("network.io.direction",
                        "transmit"), row, "BytesSent", classes));
                meters.add(count(registry, "route.requests", "Completed HTTP exchanges per route", route, row,
                        "Requests", classes));
            } else if (row.getKeyProperty("client") != null) {
                perRow(meters, registry, "client.", "HTTP body bytes per top client, (unidentified) or (other), "
                        + "counted when each exchange completes", "Completed HTTP exchanges per top client",
                        tags.and("client", label(row, "client")), row, "");
            }
        } catch (RuntimeException e) {
            // A registry that refuses a meter (a filter of its own): the row's other meters go too.
            meters.forEach(registry::remove);
            LOG.debug("The meters of " + row + " could not be registered", e);
            return;
        }
        byRow.put(row, meters);
    }

    /**
     * A route's status classes: the meters of a class are made when a read of the route's meters first finds the
     * class on the row MBean (its attributes have no value until the route has answered with it), so that a route
     * has the series of the classes it answered with and no others, as under the OpenTelemetry agent and the JMX
     * exporter, and holds no meters for the rest (most of a route's heap when all five were made). The route's
     * requests, read with every collection, say when to look: only when they have moved since the last look.
     */
    private final class RouteClasses {
        private final MeterRegistry registry;
        private final ObjectName row;
        private final Tags route;
        /** The route's meters, which {@link #remove} and {@link #close} take away; the classes' are added here. */
        private final List<Meter> meters;
        private final boolean[] made = new boolean[CLASSES.length];
        private double requestsLooked = Double.NaN;

        RouteClasses(MeterRegistry registry, ObjectName row, Tags route, List<Meter> meters) {
            this.registry = registry;
            this.row = row;
            this.route = route;
            this.meters = meters;
        }

        /** On a collection's thread: makes the meters of classes the row has now and had not before. */
        synchronized void look() {
            Map<ObjectName, List<Meter>> byRow = rowMeters.get(registry);
            if (byRow == null || byRow.get(row) != meters) {
                // Not kept yet (a collection between the route's meters and their keeping: the next read looks), or
                // the row's MBean has gone or the binder closed: nothing to add to.
                return;
            }
            double requests = read(server, row, "Requests");
            if (Double.isNaN(requests) || requests == requestsLooked) {
                return;
            }
            requestsLooked = requests;
            List<Meter> added = new ArrayList<>();
            for (int c = 0; c < CLASSES.length; c++) {
                if (!made[c] && has(CLASSES[c])) {
                    made[c] = true;
                    try {
                        perRow(added, registry, "route.status.", STATUS_BYTES, STATUS_REQUESTS,
                                route.and("http.response.status_class", CLASSES[c]), row, CLASSES[c]);
                    } catch (RuntimeException e) {
                        LOG.debug("The " + CLASSES[c] + " meters of " + row + " could not be registered", e);
                    }
                }
            }
            meters.addAll(added);
            if (rowMeters.get(registry) != byRow || byRow.get(row) != meters) {
                // Removed meanwhile (the row's MBean went or the binder closed), perhaps before these were in the
                // list it took away: take them away too.
                added.forEach(registry::remove);
            }
        }

        private boolean has(String statusClass) {
            try {
                return server.getAttribute(row, "Requests" + statusClass) != null;
            } catch (Exception e) {
                return false;
            }
        }
    }

    /** A key of a row's ObjectName as the row's name: unquoted when the library quoted it. */
    static String label(ObjectName row, String key) {
        String value = row.getKeyProperty(key);
        return value.startsWith("\"") ? ObjectName.unquote(value) : value;
    }

    private void remove(MeterRegistry registry, ObjectName row) {
        Map<ObjectName, List<Meter>> byRow = rowMeters.get(registry);
        List<Meter> meters = byRow == null ? null : byRow.remove(row);
        if (meters != null) {
            meters.forEach(registry::remove);
        }
    }

    /**
     * The {@code body.io} meters (receive, transmit) and the {@code requests} meter of an MBean, from its
     * {@code BytesReceived}, {@code BytesSent} and {@code Requests} attributes with {@code suffix} (a status class).
     */
    private void perRow(List<Meter> meters, MeterRegistry registry, String prefix, String bytesDescription,
                        String requestsDescription, Tags tags, ObjectName bean, String suffix) {
        meters.add(bytes(registry, prefix + "body.io", bytesDescription, tags.and("network.io.direction", "receive"),
                bean, "BytesReceived" + suffix));
        meters.add(bytes(registry, prefix + "body.io", bytesDescription, tags.and("network.io.direction", "transmit"),
                bean, "BytesSent" + suffix));
        meters.add(count(registry, prefix + "requests", requestsDescription, tags, bean, "Requests" + suffix));
    }

    private FunctionCounter bytes(MeterRegistry registry, String metric, String description, Tags tags,
                                  ObjectName bean, String attribute) {
        return bytes(registry, metric, description, tags, bean, attribute, null);
    }

    /** With {@code classes}, each read of the meter first looks for the route's new status classes. */
    private FunctionCounter bytes(MeterRegistry registry, String metric, String description, Tags tags,
                                  ObjectName bean, String attribute, RouteClasses classes) {
        return FunctionCounter.builder(PREFIX + metric, server, reading(bean, attribute, classes))
                .description(description).baseUnit("bytes").tags(tags).register(registry);
    }

    private FunctionCounter count(MeterRegistry registry, String metric, String description, Tags tags,
                                  ObjectName bean, String attribute) {
        return count(registry, metric, description, tags, bean, attribute, null);
    }

    private FunctionCounter count(MeterRegistry registry, String metric, String description, Tags tags,
                                  ObjectName bean, String attribute, RouteClasses classes) {
        return FunctionCounter.builder(PREFIX + metric, server, reading(bean, attribute, classes))
                .description(description).tags(tags).register(registry);
    }

    private static ToDoubleFunction<MBeanServer> reading(ObjectName bean, String attribute, RouteClasses classes) {
        if (classes == null) {
            return s -> read(s, bean, attribute);
        }
        return s -> {
            try {
                classes.look();
            } catch (RuntimeException e) {
                // A collection never fails for it: the classes' meters come at a later read.
                LOG.debug("Looking for the status classes of " + bean + " failed", e);
            }
            return read(s, bean, attribute);
        };
    }

    /**
     * An attribute as a number: 0 while it has none (a status class's meters are made only once it has one), NaN (which
     * registries skip) when the MBean cannot be read (it has just gone).
     */
    private static double read(MBeanServer server, ObjectName bean, String attribute) {
        try {
            return server.getAttribute(bean, attribute) instanceof Number value ? value.doubleValue() : 0;
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    /** How many row meters this binder holds, over all registries (tests). */
    int rowMetersHeld() {
        return rowMeters.values().stream().flatMap(byRow -> byRow.values().stream()).mapToInt(List::size).sum();
    }

    @Override
    public synchronized void close() {
        if (listening) {
            try {
                server.removeNotificationListener(MBeanServerDelegate.DELEGATE_NAME, this);
            } catch (Exception e) {
                // Already gone with the server.
            }
            listening = false;
        }
        for (MeterRegistry registry : registries) {
            Map<ObjectName, List<Meter>> byRow = rowMeters.remove(registry);
            if (byRow != null) {
                byRow.values().forEach(meters -> meters.forEach(registry::remove));
            }
        }
        registries.clear();
    }
}
