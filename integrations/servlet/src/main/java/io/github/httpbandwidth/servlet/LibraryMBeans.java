package io.github.httpbandwidth.servlet;

import io.github.httpbandwidth.BandwidthStats;

import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The monitors of an application's own copy of the library, unregistered when the application is undeployed: the
 * work of {@link UndeployCleanup} ({@code jakarta} servers) and {@link JavaxUndeployCleanup} ({@code javax} ones),
 * with no servlet API type, so that either loads without the other's API.
 */
final class LibraryMBeans {

    private static final Logger LOG = Logger.getLogger(LibraryMBeans.class.getName());

    private LibraryMBeans() {
    }

    /**
     * The library's class loader when it is the application's own copy (loaded by {@code application}, the servlet
     * context's class loader), else {@code null}: a library shared by a server module or an application's class path
     * is left to whoever made the monitor (WildFly's filter, Spring's context).
     */
    static ClassLoader ownedBy(ClassLoader application) {
        ClassLoader library = BandwidthStats.class.getClassLoader();
        return library != null && library == application ? library : null;
    }

    /** On undeploy: {@link #unregisterMBeansOf} on the platform MBeanServer. */
    static void undeployed(ClassLoader library) {
        unregisterMBeansOf(library, ManagementFactory.getPlatformMBeanServer());
    }

    /** Unregisters every {@code BandwidthStats} MBean whose object {@code library} loaded; returns how many. */
    static int unregisterMBeansOf(ClassLoader library, MBeanServer server) {
        int unregistered = 0;
        try {
            ObjectName all = new ObjectName(BandwidthStats.JMX_DOMAIN + ":type=BandwidthStats,*");
            for (ObjectName name : server.queryNames(all, null)) {
                try {
                    if (server.getClassLoaderFor(name) == library) {
                        server.unregisterMBean(name);
                        unregistered++;
                    }
                } catch (InstanceNotFoundException e) {
                    // unregistered in between
                }
            }
        } catch (JMException e) {
            LOG.log(Level.WARNING, "could not unregister the bandwidth MBeans of an undeployed application", e);
        }
        return unregistered;
    }
}
