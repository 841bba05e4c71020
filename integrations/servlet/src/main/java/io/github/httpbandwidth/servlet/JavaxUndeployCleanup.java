package io.github.httpbandwidth.servlet;

import javax.servlet.ServletContainerInitializer;
import javax.servlet.ServletContext;
import javax.servlet.ServletContextEvent;
import javax.servlet.ServletContextListener;

import java.util.Set;

/**
 * {@link UndeployCleanup} for {@code javax} servers (WildFly 26, JBoss EAP 7.4: Undertow 2.2): an application that
 * carries the library in {@code WEB-INF/lib} has its monitors unregistered when it is undeployed. Registered in
 * {@code META-INF/services/javax.servlet.ServletContainerInitializer}, which {@code jakarta} servers do not read (as
 * {@code javax} ones do not read the {@code jakarta} file), so each server runs the one written for it.
 *
 * <p>Stability: the behaviour is supported; the class is public only because the container loads it.
 */
public final class JavaxUndeployCleanup implements ServletContainerInitializer {

    public JavaxUndeployCleanup() {
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
