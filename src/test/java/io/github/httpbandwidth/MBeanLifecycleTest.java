package io.github.httpbandwidth;

import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;

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
}
