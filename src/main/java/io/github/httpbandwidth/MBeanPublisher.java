package io.github.httpbandwidth;

import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import java.util.IdentityHashMap;
import java.util.Map;

/** Keeps track of where one {@link BandwidthStats} is registered, so registering is idempotent and closing undoes it. */
final class MBeanPublisher {

    private final Map<MBeanServer, ObjectName> registered = new IdentityHashMap<>();

    static ObjectName objectName(String name) {
        try {
            // The name is validated to need no quoting, so the exporter sees it verbatim.
            return new ObjectName(BandwidthStats.JMX_DOMAIN + ":type=BandwidthStats,name=" + name);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("name: \"" + name + "\" does not form an ObjectName", e);
        }
    }

    /**
     * Registers {@code stats}' MBean. With {@code replaceEarlier}, an MBean of the same name that an earlier copy
     * of this library registered (a previous deployment of the same application, whose configuration was parsed
     * again) is unregistered first; any other MBean of that name is left alone and refused.
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
            server.registerMBean(new BandwidthMBean(stats), name);
        } catch (InstanceAlreadyExistsException e) {
            throw new IllegalStateException("an MBean named " + name + " is already registered; give this "
                    + "BandwidthStats another name with BandwidthStats.builder().name(...), or close the other one", e);
        } catch (JMException e) {
            throw new IllegalStateException("could not register " + name + ": " + e.getMessage(), e);
        }
        registered.put(server, name);
        return name;
    }

    private static void unregisterEarlierCopy(MBeanServer server, ObjectName name) {
        try {
            // By the class name its MBeanInfo gives: an earlier deployment's copy comes from another class loader.
            if (server.isRegistered(name)
                    && BandwidthStats.class.getName().equals(server.getObjectInstance(name).getClassName())) {
                server.unregisterMBean(name);
            }
        } catch (InstanceNotFoundException e) {
            // Gone in between: nothing to replace.
        } catch (JMException e) {
            throw new IllegalStateException("could not replace " + name + ": " + e.getMessage(), e);
        }
    }

    /** The MBean in {@code server} was unregistered (by anyone); true when none is left anywhere. */
    synchronized boolean forget(MBeanServer server) {
        registered.remove(server);
        return registered.isEmpty();
    }

    void unregisterAll() {
        Map<MBeanServer, ObjectName> all;
        synchronized (this) {
            // A copy: each unregistration calls back into forget().
            all = new IdentityHashMap<>(registered);
            registered.clear();
        }
        for (Map.Entry<MBeanServer, ObjectName> entry : all.entrySet()) {
            try {
                entry.getKey().unregisterMBean(entry.getValue());
            } catch (InstanceNotFoundException e) {
                // Someone unregistered it by name already; the goal is reached.
            } catch (JMException e) {
                throw new IllegalStateException("could not unregister " + entry.getValue() + ": " + e.getMessage(), e);
            }
        }
    }
}
