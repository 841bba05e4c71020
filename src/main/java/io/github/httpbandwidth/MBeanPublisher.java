package io.github.httpbandwidth;

import javax.management.Descriptor;
import javax.management.ImmutableDescriptor;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Keeps track of where one {@link BandwidthStats} is registered, so registering is idempotent and closing undoes it:
 * the handler's MBean and, beside it, one MBean per endpoint row and per watched listener ("children"), registered
 * wherever the handler's MBean is and unregistered with it.
 *
 * <p>Readers of the rows domain come back to a name after it was closed: a redeployed application, a reloaded filter,
 * any new instance of a name just closed, counts from 0 under the same names. A reader that saw the closed instance's
 * series would see them go down, which OpenTelemetry's SDK under delta temporality sends as a negative delta of a
 * monotonic sum (it subtracts consecutive observations of a series it saw at both), losing what the closed instance
 * counted to whoever adds the deltas up. So when the handler's MBean leaves a server, a record of the close is left
 * there ({@link #closedName}: a JDK class holding only strings, so it keeps no class loader), and an instance of that
 * name registered there within a row hold of the close registers its rows-domain MBeans only once the hold since the
 * close has passed: every reader that collects at least once per hold (as born at zero asks of it anyway) finds the
 * series absent in between, forgets them, and finds them again born at zero. The handler's MBean and the console's
 * are registered at once, as before: the JMX exporter and Prometheus take the fall as a counter reset.
 */
final class MBeanPublisher {

    /** The JMX domain of the views made for consoles. */
    static final String CONSOLE_DOMAIN = BandwidthStats.JMX_DOMAIN + ".console";
    /**
     * One MBean per endpoint row, for readers that cannot iterate tables (OpenTelemetry): a domain of their own, so
     * that the JMX exporter's rules never look at them, as for the console's.
     */
    static final String ROWS_DOMAIN = BandwidthStats.JMX_DOMAIN + ".rows";

    /** The field of a close's record ({@link #closedName}) that holds when, in ticker nanoseconds. */
    static final String CLOSED_AT = "closedAtNanos";

    private final String handler;
    private final LongSupplier ticker;
    private final RowHold hold;

    /** The handler's MBean by server. */
    private final Map<MBeanServer, ObjectName> registered = new IdentityHashMap<>();
    /** The children registered in each server: only those are unregistered there, never a stranger's MBean. */
    private final Map<MBeanServer, List<ObjectName>> registeredChildren = new IdentityHashMap<>();
    /**
     * The servers where a close of this name is within the row hold: when the rows-domain MBeans may come (ticker
     * time), and those waiting for it, in the order they came.
     */
    private final Map<MBeanServer, Long> rowsFrom = new IdentityHashMap<>();
    private final Map<MBeanServer, Map<ObjectName, Supplier<Object>>> waiting = new IdentityHashMap<>();
    /** Whether {@link #rowsFrom} has any server: read on each rate sample, without the lock. */
    private volatile boolean rowsWaiting;

    MBeanPublisher(String handler, LongSupplier ticker, RowHold hold) {
        this.handler = handler;
        this.ticker = ticker;
        this.hold = hold;
    }

    static ObjectName objectName(String name) {
        try {
            // The name is validated to need no quoting, so the exporter sees it verbatim.
            return new ObjectName(BandwidthStats.JMX_DOMAIN + ":type=BandwidthStats,name=" + name);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("name: \"" + name + "\" does not form an ObjectName", e);
        }
    }

    /**
     * {@code io.github.httpbandwidth.console:name=<name>,view=<view>}: a domain of their own, so that no exporter
     * configured for {@code io.github.httpbandwidth} (the shipped rules, and any copy of an older version of them)
     * reads them, nor even looks at their names: the MBeanServer answers a query on a domain from that domain's
     * names only, and a scrape costs the same with them as without.
     */
    static ObjectName consoleName(String name, String view) {
        return name(CONSOLE_DOMAIN + ":name=" + name, "view", view);
    }

    /** {@code io.github.httpbandwidth.console:name=<name>,view=Endpoints,endpoint=<endpoint>}. */
    static ObjectName endpointName(String name, String endpoint) {
        return name(consoleName(name, "Endpoints").toString(), "endpoint", endpoint);
    }

    /** {@code io.github.httpbandwidth.rows:name=<name>,endpoint=<endpoint>}: {@link RowMBean}. */
    static ObjectName rowName(String name, String endpoint) {
        return name(ROWS_DOMAIN + ":name=" + name, "endpoint", endpoint);
    }

    /** {@code io.github.httpbandwidth.rows:name=<name>,client=<client>}: {@link ClientRowMBean}. */
    static ObjectName clientRowName(String name, String client) {
        return name(ROWS_DOMAIN + ":name=" + name, "client", client);
    }

    /** {@code io.github.httpbandwidth.rows:name=<name>,view=Totals}: {@link TotalsRowMBean}. */
    static ObjectName totalsRowName(String name) {
        return name(ROWS_DOMAIN + ":name=" + name, "view", "Totals");
    }

    /**
     * {@code io.github.httpbandwidth.rows:closed=<name>}: the record that an instance of that name closed, and when. No
     * {@code name} key, so no reader's rule for the rows (all match {@code name=*}) and no query for a handler's MBeans
     * ({@code name=<name>,*}) finds it.
     */
    static ObjectName closedName(String name) {
        try {
            // The name is validated to need no quoting.
            return new ObjectName(ROWS_DOMAIN + ":closed=" + name);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("name: \"" + name + "\" does not form an ObjectName", e);
        }
    }

    /** {@code io.github.httpbandwidth:type=BandwidthStats,name=<name>,listener=<listener>}, exported with the handler's. */
    static ObjectName listenerName(String name, String listener) {
        return name(objectName(name).toString(), "listener", listener);
    }

    /** One more key, whose value is quoted only when it holds a character an ObjectName value cannot hold as it is. */
    private static ObjectName name(String prefix, String key, String value) {
        boolean plain = !value.isEmpty() && value.chars().noneMatch(c -> ",=:\"*?\\\n".indexOf(c) >= 0);
        try {
            return new ObjectName(prefix + "," + key + "=" + (plain ? value : ObjectName.quote(value)));
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException(key + ": \"" + value + "\" does not form an ObjectName", e);
        }
    }

    /**
     * Registers {@code stats}' MBean and its children. With {@code replaceEarlier}, an MBean of the same name that an
     * earlier copy of this library registered (a previous deployment of the same application, whose configuration
     * was parsed again) is unregistered first; another deployment's copy, and any other MBean of that name, is left
     * alone and refused.
     */
    synchronized ObjectName register(BandwidthStats stats, MBeanServer server, boolean replaceEarlier) {
        ObjectName name = registered.get(server);
        // Someone may have unregistered it by name since: then register it again.
        if (name != null && server.isRegistered(name)) {
            return name;
        }
        name = stats.objectName();
        if (replaceEarlier) {
            unregisterEarlierCopy(server, name);
        }
        try {
            server.registerMBean(new BandwidthMBean(stats, server), name);
        } catch (InstanceAlreadyExistsException e) {
            throw new IllegalStateException("an MBean named " + name + " is already registered; give this "
                    + "BandwidthStats another name with BandwidthStats.builder().name(...), or close the other one", e);
        } catch (JMException e) {
            throw new IllegalStateException("could not register " + name + ": " + e.getMessage(), e);
        }
        registered.put(server, name);
        registeredChildren.put(server, new ArrayList<>());
        holdRowsAfterAClose(server);
        // Listed now, under this lock: a child added meanwhile waits for it, then finds this server.
        for (Map.Entry<ObjectName, Supplier<Object>> child : stats.children().entrySet()) {
            registerChild(server, child.getKey(), child.getValue());
        }
        return name;
    }

    /**
     * A new child MBean: registered now in every server the handler's MBean is in (servers it is registered in
     * later list the children themselves, through {@link BandwidthStats#children()}, so nothing is kept here for a
     * handler registered nowhere). Never throws: it may be called on a request thread, and a child that cannot be
     * registered (its name taken) is only missing from the console.
     */
    synchronized void addChild(Supplier<ObjectName> name, Supplier<Object> mbean) {
        if (!registered.isEmpty()) {
            ObjectName objectName = name.get();
            for (MBeanServer server : registered.keySet()) {
                registerChild(server, objectName, mbean);
            }
        }
    }

    /** A child MBean no longer wanted: unregistered from every server it is in. Never throws. */
    synchronized void removeChild(ObjectName name) {
        for (Map<ObjectName, Supplier<Object>> rowsWait : waiting.values()) {
            rowsWait.remove(name);
        }
        for (Map.Entry<MBeanServer, List<ObjectName>> there : registeredChildren.entrySet()) {
            if (there.getValue().remove(name)) {
                try {
                    there.getKey().unregisterMBean(name);
                } catch (JMException | RuntimeException e) {
                    // Already gone (someone unregistered it by name): the goal is reached.
                }
            }
        }
    }

    private void registerChild(MBeanServer server, ObjectName name, Supplier<Object> mbean) {
        Map<ObjectName, Supplier<Object>> rowsWait = waiting.get(server);
        if (rowsWait != null && ROWS_DOMAIN.equals(name.getDomain())) {
            rowsWait.put(name, mbean);
            return;
        }
        try {
            if (server.isRegistered(name) && registeredChildren.get(server).contains(name)) {
                return;
            }
            server.registerMBean(mbean.get(), name);
            registeredChildren.get(server).add(name);
        } catch (JMException | RuntimeException e) {
            // Missing from the console only; counting goes on.
        }
    }

    private static void unregisterEarlierCopy(MBeanServer server, ObjectName name) {
        try {
            // By the class name its MBeanInfo gives: an earlier deployment's copy comes from another class loader.
            if (server.isRegistered(name)
                    && BandwidthStats.class.getName().equals(server.getObjectInstance(name).getClassName())) {
                refuseAnotherDeployments(server.getClassLoaderFor(name), name);
                server.unregisterMBean(name);
            }
        } catch (InstanceNotFoundException e) {
            // Gone in between: nothing to replace.
        } catch (JMException e) {
            throw new IllegalStateException("could not replace " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * An earlier copy is taken over only from the same deployment: the same class loader (a server module's filter made
     * again on a reload), or one of the same name (WildFly names a deployment's class loader after it, and gives each
     * redeployment a new one), or neither named (nothing tells them apart). Another application's monitor of the same
     * name is alive: taking its name over would leave it counting with no MBean, its traffic gone from every reader.
     */
    private static void refuseAnotherDeployments(ClassLoader earlier, ObjectName name) {
        ClassLoader mine = BandwidthStats.class.getClassLoader();
        if (earlier != mine && !Objects.equals(loaderName(earlier), loaderName(mine))) {
            throw new IllegalStateException("name: \"" + name.getKeyProperty("name") + "\" is taken by the monitor of "
                    + loaderName(earlier) + ", another deployment than this one (" + loaderName(mine) + "); two monitors "
                    + "cannot share a name: give each its own name (bandwidth(name=...) in undertow-handlers.conf, the "
                    + "name parameter of a filter, BandwidthStats.builder().name(...)). If that deployment is gone, its "
                    + "monitor was left registered, as by a WAR without undertow-bandwidth-servlet, whose clean-up "
                    + "unregisters it at undeploy: restart the server once, with that jar in the WAR");
        }
    }

    private static String loaderName(ClassLoader loader) {
        return loader == null ? null : loader.getName();
    }

    /**
     * The handler's MBean in {@code server} was unregistered (by anyone): its children there go too. True when no
     * MBean of the handler is left anywhere.
     */
    boolean forget(MBeanServer server) {
        List<ObjectName> childNames;
        boolean none;
        boolean was;
        synchronized (this) {
            was = registered.remove(server) != null;
            none = registered.isEmpty();
            List<ObjectName> there = registeredChildren.remove(server);
            childNames = there != null ? there : List.of();
            stopWaiting(server);
        }
        for (ObjectName child : childNames) {
            unregister(server, child);
        }
        if (was) {
            recordClose(server);
        }
        return none;
    }

    void unregisterAll() {
        Map<MBeanServer, ObjectName> all;
        Map<MBeanServer, List<ObjectName>> allChildren;
        synchronized (this) {
            // Copies: each unregistration calls back into forget(), which then finds nothing to do.
            all = new IdentityHashMap<>(registered);
            allChildren = new IdentityHashMap<>(registeredChildren);
            registered.clear();
            registeredChildren.clear();
            rowsFrom.clear();
            waiting.clear();
            rowsWaiting = false;
        }
        for (Map.Entry<MBeanServer, ObjectName> entry : all.entrySet()) {
            for (ObjectName child : allChildren.getOrDefault(entry.getKey(), List.of())) {
                unregister(entry.getKey(), child);
            }
            unregister(entry.getKey(), entry.getValue());
            recordClose(entry.getKey());
        }
    }

    /**
     * An instance of this name closed in {@code server} within the row hold: the rows-domain MBeans wait there until the
     * hold since that close has passed ({@link #releaseWaitingRows}). Under the lock.
     */
    private void holdRowsAfterAClose(MBeanServer server) {
        ObjectName record = closedName(handler);
        Long closed = closedAt(server, record);
        if (closed == null) {
            return;
        }
        long now = ticker.getAsLong();
        // A close after now is another ticker's time (a test's), which this instance cannot place: no wait.
        if (now - closed >= 0 && hold.held(closed, now)) {
            rowsFrom.put(server, closed + hold.holdNanos());
            waiting.put(server, new LinkedHashMap<>());
            rowsWaiting = true;
        } else {
            unregisterQuietly(server, record);
        }
    }

    /** Under the lock: {@code server} no longer has this instance's MBeans, so nothing waits there. */
    private void stopWaiting(MBeanServer server) {
        rowsFrom.remove(server);
        waiting.remove(server);
        rowsWaiting = !rowsFrom.isEmpty();
    }

    /**
     * Registers the rows-domain MBeans whose wait has passed, and removes the close's record there. Called on every
     * rate sample (a tick); without a wait, a volatile read.
     */
    void releaseWaitingRows() {
        if (!rowsWaiting) {
            return;
        }
        synchronized (this) {
            long now = ticker.getAsLong();
            for (Iterator<Map.Entry<MBeanServer, Long>> i = rowsFrom.entrySet().iterator(); i.hasNext(); ) {
                Map.Entry<MBeanServer, Long> from = i.next();
                if (now - from.getValue() >= 0) {
                    MBeanServer server = from.getKey();
                    i.remove();
                    unregisterQuietly(server, closedName(handler));
                    for (Map.Entry<ObjectName, Supplier<Object>> row : waiting.remove(server).entrySet()) {
                        registerChild(server, row.getKey(), row.getValue());
                    }
                }
            }
            rowsWaiting = !rowsFrom.isEmpty();
        }
    }

    /**
     * Leaves the record of this close in {@code server}, replacing an earlier one: a JDK {@link ImmutableDescriptor}
     * shown through a JDK {@link StandardMBean} (its fields as the {@code Fields} attribute), strings only, so it keeps no
     * class loader of this library (a {@code RequiredModelMBean} would: it keeps its creator's access control context).
     * Never throws: without it, a next instance's rows come at once, as they did before there was such a record.
     */
    private void recordClose(MBeanServer server) {
        ObjectName record = closedName(handler);
        try {
            Descriptor close = new ImmutableDescriptor("handler=" + handler, CLOSED_AT + "=" + ticker.getAsLong(),
                    "closedAt=" + Instant.now(), "meaning=a monitor of this name registered within its row hold of this"
                    + " close registers its MBeans in " + ROWS_DOMAIN + " only once that hold has passed, so that no"
                    + " reader of them sees a figure of this name go down");
            unregisterQuietly(server, record);
            server.registerMBean(new StandardMBean(close, Descriptor.class), record);
        } catch (JMException | RuntimeException e) {
            // Missing: see above.
        }
    }

    /** When the close recorded under {@code record} was (ticker nanoseconds), or null with none (or not ours). */
    private static Long closedAt(MBeanServer server, ObjectName record) {
        try {
            Object at = server.invoke(record, "getFieldValue", new Object[] {CLOSED_AT},
                    new String[] {String.class.getName()});
            return at instanceof String text ? Long.valueOf(text) : null;
        } catch (JMException | RuntimeException e) {
            return null;
        }
    }

    private static void unregisterQuietly(MBeanServer server, ObjectName name) {
        try {
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
        } catch (JMException | RuntimeException e) {
            // Gone already, or not ours to remove.
        }
    }

    private static void unregister(MBeanServer server, ObjectName name) {
        try {
            server.unregisterMBean(name);
        } catch (InstanceNotFoundException e) {
            // Someone unregistered it by name already; the goal is reached.
        } catch (JMException e) {
            throw new IllegalStateException("could not unregister " + name + ": " + e.getMessage(), e);
        }
    }
}
