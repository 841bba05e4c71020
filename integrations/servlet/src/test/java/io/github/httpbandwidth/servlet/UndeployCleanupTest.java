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

/**
 * The initializer, run by a real Undertow servlet container, on a deployment's start and undeploy: {@link
 * UndeployCleanup}, and with {@code -Pjavax} {@link JavaxUndeployCleanup} on Undertow 2.2 (this class names no servlet
 * API type, so it runs on either).
 */
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

    @SuppressWarnings("unchecked") // the initializer's type is the running server's API: see initializer()
    private static DeploymentManager deploy(ClassLoader loader) throws Exception {
        DeploymentInfo info = Servlets.deployment()
                .setClassLoader(loader)
                .setContextPath("/cleanup")
                .setDeploymentName("cleanup.war")
                .addServletContainerInitializer(new ServletContainerInitializerInfo(initializer(), Set.of()));
        ServletContainer container = Servlets.newContainer();
        DeploymentManager manager = container.addDeployment(info);
        manager.deploy();
        manager.start();
        return manager;
    }

    /** The initializer the server's servlet API reads from {@code META-INF/services}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Class initializer() throws Exception {
        String services = "META-INF/services/" + ServletApi.NAME + ".servlet.ServletContainerInitializer";
        try (java.io.InputStream in = UndeployCleanupTest.class.getClassLoader().getResourceAsStream(services)) {
            assertThat(in).as(services).isNotNull();
            String named = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
            assertThat(named).isEqualTo((ServletApi.javax() ? JavaxUndeployCleanup.class : UndeployCleanup.class)
                    .getName());
            return Class.forName(named);
        }
    }

    private static ObjectName name(String name) {
        try {
            return new ObjectName(BandwidthStats.JMX_DOMAIN + ":type=BandwidthStats,name=" + name);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
