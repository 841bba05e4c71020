package io.github.httpbandwidth.servlet;

import io.github.httpbandwidth.BandwidthStats;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;

import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Unregisters an application's monitors when it is undeployed. A WAR that carries the library in
 * {@code WEB-INF/lib} and switches it on in {@code undertow-handlers.conf} registers a {@code BandwidthStats}
 * MBean at each deployment, and nothing else ever hears that the deployment ended: without this, the MBean of an
 * undeployed application stays, and pins its class loader until it is redeployed under the same name.
 *
 * <p>The servlet container runs this initializer at deployment (it is registered in {@code META-INF/services}).
 * It acts only when the library is the application's own copy (loaded by the application's class loader): then,
 * when the context is destroyed, it unregisters every {@code BandwidthStats} MBean whose class that copy loaded,
 * whatever its name. A library shared by a server module or an application's class path is left to whoever made
 * the monitor (WildFly's filter, Spring's context).
 *
 * <p>Stability: the behaviour is supported; the class is public only because the container loads it.
 */
public final class UndeployCleanup implements ServletContainerInitializer {

    private static final Logger LOG = Logger.getLogger(UndeployCleanup.class.getName());

    public UndeployCleanup() {
    }

    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext context) {
        ClassLoader library = BandwidthStats.class.getClassLoader();
        if (library != null && library == context.getClassLoader()) {
            context.addListener(new Listener(library));
        }
    }

    /** Unregisters the MBeans of one copy of the library. */
    static final class Listener implements ServletContextListener {

        private final ClassLoader library;

        Listener(ClassLoader library) {
            this.library = library;
        }

        @Override
        public void contextDestroyed(ServletContextEvent event) {
            unregisterMBeansOf(library, ManagementFactory.getPlatformMBeanServer());
        }
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
