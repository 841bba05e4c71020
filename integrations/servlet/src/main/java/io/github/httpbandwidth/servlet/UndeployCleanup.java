package io.github.httpbandwidth.servlet;

import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;

import java.util.Set;

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
 * the monitor (WildFly's filter, Spring's context). {@code JavaxUndeployCleanup}, made from this source at build time
 * with {@code javax.servlet} for {@code jakarta.servlet}, does the same on {@code javax} servers (WildFly 26, JBoss
 * EAP 7.4), from {@code META-INF/services/javax.servlet.ServletContainerInitializer}, which {@code jakarta} servers do
 * not read (as {@code javax} ones do not read the {@code jakarta} file).
 *
 * <p>Stability: the behaviour is supported; the class is public only because the container loads it.
 */
public final class UndeployCleanup implements ServletContainerInitializer {

    public UndeployCleanup() {
    }

    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext context) {
        ClassLoader library = LibraryMBeans.ownedBy(context.getClassLoader());
        if (library != null) {
            context.addListener(new ServletContextListener() {
                @Override
                public void contextDestroyed(ServletContextEvent event) {
                    LibraryMBeans.undeployed(library);
                }
            });
        }
    }
}
