package io.github.httpbandwidth;

import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Background sampling lives exactly as long as a registered MBean: an application server unregisters the MBean of
 * an undeployed application (or the next deployment takes its name over) without calling {@code close()}, and a
 * sampler left running would keep the old deployment's class loader alive through its thread.
 */
class MBeanLifecycleTest {

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    @Test
    void unregisteringTheMBeanByNameStopsSamplingAndRegisteringAgainRestartsIt() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("lifecycle-by-name").build();
        try {
            ObjectName name = stats.registerMBean(server);
            assertThat(stats.samplingInBackground()).isTrue();

            server.unregisterMBean(name);
            assertThat(stats.samplingInBackground()).as("after someone else unregistered it").isFalse();

            stats.registerMBean(server);
            assertThat(server.isRegistered(name)).isTrue();
            assertThat(stats.samplingInBackground()).isTrue();

            stats.close();
            assertThat(server.isRegistered(name)).isFalse();
            assertThat(stats.samplingInBackground()).isFalse();
        } finally {
            stats.close();
        }
    }

    @Test
    void theNextDeploymentTakingTheNameOverStopsThePreviousOnesSampling() {
        BandwidthStats previous = BandwidthStats.builder().name("lifecycle-redeploy").build();
        BandwidthStats next = BandwidthStats.builder().name("lifecycle-redeploy").build();
        try {
            previous.registerMBeanReplacingEarlier(server);
            assertThat(previous.samplingInBackground()).isTrue();

            next.registerMBeanReplacingEarlier(server);
            assertThat(previous.samplingInBackground()).as("the replaced instance").isFalse();
            assertThat(next.samplingInBackground()).isTrue();
        } finally {
            next.close();
            previous.close();
        }
    }

    /**
     * WildFly's platform MBeanServer (its jmx subsystem's {@code PluggableMBeanServerImpl}, the platform server
     * whenever no agent made one before WildFly boots: with the OpenTelemetry agent, or none) wraps a JDK MBeanServer
     * made with no outer server, so an MBean's {@code preRegister} is told the inner server, not the one it was
     * registered through. An undeployed application's clean-up then unregisters the handler's MBean by name, and
     * every other MBean of the handler (console views, endpoint and client rows) must go with it: before, they stayed,
     * showing the old deployment's figures and keeping its class loader, and the next deployment's could not take
     * their names.
     */
    @Test
    void inAServerThatWrapsAnotherTheHandlersOtherMBeansGoWithItsMBean() throws Exception {
        MBeanServer wildfly = wrapping(MBeanServerFactory.newMBeanServer());
        BandwidthStats stats = BandwidthStats.builder().name("lifecycle-wrapped").build();
        try {
            ObjectName name = stats.registerMBean(wildfly);
            ObjectName mine = new ObjectName("io.github.httpbandwidth*:name=lifecycle-wrapped,*");
            assertThat(wildfly.queryNames(mine, null)).as("the handler's MBean and its others").hasSizeGreaterThan(3);

            wildfly.unregisterMBean(name);
            assertThat(wildfly.queryNames(mine, null)).as("left after its MBean was unregistered by name").isEmpty();
            assertThat(stats.samplingInBackground()).isFalse();
        } finally {
            stats.close();
        }
    }

    /** The same when the next deployment takes the name over: its own MBeans, not the previous one's, are there. */
    @Test
    void inAServerThatWrapsAnotherTheNextDeploymentsMBeansReplaceAllThePreviousOnes() throws Exception {
        MBeanServer wildfly = wrapping(MBeanServerFactory.newMBeanServer());
        BandwidthStats previous = BandwidthStats.builder().name("lifecycle-wrapped-redeploy").build();
        BandwidthStats next = BandwidthStats.builder().name("lifecycle-wrapped-redeploy").build();
        ObjectName row = MBeanPublisher.endpointName("lifecycle-wrapped-redeploy", "/echo");
        try (TestServer first = TestServer.start(new BandwidthHandler(previous, TopClientsTest.echo()));
             RawHttp http = new RawHttp(first.port())) {
            previous.registerMBeanReplacingEarlier(wildfly);
            TopClientsTest.post(http, null, 3_000, 100);
            Await.completed(previous, 1);
            assertThat(wildfly.getAttribute(row, "BytesReceived")).isEqualTo(3_000L);

            next.registerMBeanReplacingEarlier(wildfly);
            assertThat(previous.samplingInBackground()).as("the replaced instance samples").isFalse();
            try (TestServer second = TestServer.start(new BandwidthHandler(next, TopClientsTest.echo()));
                 RawHttp again = new RawHttp(second.port())) {
                TopClientsTest.post(again, null, 7, 1);
                Await.completed(next, 1);
                assertThat(wildfly.getAttribute(row, "BytesReceived")).as("the next deployment's row").isEqualTo(7L);
            }
        } finally {
            next.close();
            previous.close();
        }
        assertThat(wildfly.queryNames(new ObjectName("io.github.httpbandwidth*:name=lifecycle-wrapped-redeploy,*"),
                null)).isEmpty();
    }

    /**
     * An MBeanServer that hands every call to {@code inner}, as an application server's wraps the JDK's: {@code inner}
     * was made with no outer server, so the MBeans registered through the wrapper are told {@code inner}.
     */
    private static MBeanServer wrapping(MBeanServer inner) {
        return (MBeanServer) Proxy.newProxyInstance(MBeanServer.class.getClassLoader(),
                new Class<?>[] {MBeanServer.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return switch (method.getName()) {
                            case "equals" -> proxy == args[0];
                            case "hashCode" -> System.identityHashCode(proxy);
                            default -> "wrapping " + inner;
                        };
                    }
                    try {
                        return method.invoke(inner, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
