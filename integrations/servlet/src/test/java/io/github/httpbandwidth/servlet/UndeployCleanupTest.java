package io.github.httpbandwidth.servlet;

import io.github.httpbandwidth.BandwidthStats;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.api.ServletContainer;
import io.undertow.servlet.api.ServletContainerInitializerInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The initializer, run by a real Undertow servlet container, on a deployment's start and undeploy. */
class UndeployCleanupTest {

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final ObjectName app = name("cleanup-app");
    private final ObjectName other = name("cleanup-other");

    @AfterEach
    void unregister() throws Exception {
        for (ObjectName name : server.queryNames(name("cleanup-*"), null)) {
            server.unregisterMBean(name);
        }
    }

    @Test
    void undeployingTheApplicationThatOwnsTheLibraryUnregistersItsMonitorsOnly() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("cleanup-app").build();
        stats.registerMBean(server);
        Runnable nothing = () -> { };
        server.registerMBean(new StandardMBean(nothing, Runnable.class), other);

        DeploymentManager manager = deploy(UndeployCleanupTest.class.getClassLoader());
        assertThat(server.isRegistered(app)).as("registered while deployed").isTrue();
        manager.stop();
        manager.undeploy();

        assertThat(server.isRegistered(app)).as("the application's monitor, after undeploy").isFalse();
        assertThat(server.isRegistered(other)).as("an MBean of that domain from elsewhere").isTrue();
        stats.close(); // harmless when already unregistered
    }

    @Test
    void aLibraryTheApplicationDoesNotOwnIsLeftToWhoeverMadeTheMonitor() throws Exception {
        try (BandwidthStats stats = BandwidthStats.builder().name("cleanup-app").build();
             URLClassLoader applicationLoader = new URLClassLoader(new URL[0], UndeployCleanupTest.class.getClassLoader())) {
            stats.registerMBean(server);
            DeploymentManager manager = deploy(applicationLoader);
            manager.stop();
            manager.undeploy();
            assertThat(server.isRegistered(app)).isTrue();
        }
    }

    private static DeploymentManager deploy(ClassLoader loader) throws Exception {
        DeploymentInfo info = Servlets.deployment()
                .setClassLoader(loader)
                .setContextPath("/cleanup")
                .setDeploymentName("cleanup.war")
                .addServletContainerInitializer(new ServletContainerInitializerInfo(UndeployCleanup.class, Set.of()));
        ServletContainer container = Servlets.newContainer();
        DeploymentManager manager = container.addDeployment(info);
        manager.deploy();
        manager.start();
        return manager;
    }

    private static ObjectName name(String name) {
        try {
            return new ObjectName(BandwidthStats.JMX_DOMAIN + ":type=BandwidthStats,name=" + name);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
