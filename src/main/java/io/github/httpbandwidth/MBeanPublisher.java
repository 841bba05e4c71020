package io.github.httpbandwidth;

import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Keeps track of where one {@link BandwidthStats} is registered, so registering is idempotent and closing undoes it:
 * the handler's MBean and, beside it, one MBean per endpoint row and per watched listener ("children"), registered
 * wherever the handler's MBean is and unregistered with it.
 */
final class MBeanPublisher {

    /** The JMX domain of the views made for consoles. */
    static final String CONSOLE_DOMAIN = BandwidthStats.JMX_DOMAIN + ".console";
    /**
     * One MBean per endpoint row, for readers that cannot iterate tables (OpenTelemetry): a domain of their own, so
     * that the JMX exporter's rules never look at them, as for the console's.
     */
    static final String ROWS_DOMAIN = BandwidthStats.JMX_DOMAIN + ".rows";

    /** The handler's MBean by server. */
    private final Map<MBeanServer, ObjectName> registered = new IdentityHashMap<>();
    /** The children registered in each server: only those are unregistered there, never a stranger's MBean. */
    private final Map<MBeanServer, List<ObjectName>> registeredChildren = new IdentityHashMap<>();

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
        synchronized (this) {
            registered.remove(server);
            none = registered.isEmpty();
            List<ObjectName> there = registeredChildren.remove(server);
            childNames = there != null ? there : List.of();
        }
        for (ObjectName child : childNames) {
            unregister(server, child);
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
        }
        for (Map.Entry<MBeanServer, ObjectName> entry : all.entrySet()) {
            for (ObjectName child : allChildren.getOrDefault(entry.getKey(), List.of())) {
                unregister(entry.getKey(), child);
            }
            unregister(entry.getKey(), entry.getValue());
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
