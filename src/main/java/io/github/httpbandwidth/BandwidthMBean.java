package io.github.httpbandwidth;

import javax.management.MBeanRegistration;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.util.List;

/**
 * The read-only open MBean that shows one {@link BandwidthStats}: the figures the JMX exporter scrapes, and the rates
 * for people watching. The views made for consoles only (sizes, transfers in flight, endpoints one by one) are
 * other MBeans, out of the scrape: see {@link ConsoleMBean} and {@link EndpointMBean}.
 *
 * <p>When it is unregistered, by {@link BandwidthStats#close()} or by anyone else (an undeployed application's
 * clean-up, the next deployment taking its name over), it tells its stats, which then unregister their other MBeans
 * in that server and stop sampling in the background once no MBean of theirs is left: nothing of an unregistered
 * instance keeps a thread alive.
 */
final class BandwidthMBean extends ReadOnlyOpenMBean<BandwidthSnapshot> implements MBeanRegistration {

    private final BandwidthStats stats;
    /**
     * The server it is registered through, as the publisher knows it: not the one {@link #preRegister} is told, which
     * can be another. WildFly's platform MBeanServer wraps a JDK one made with no outer server, and its MBeans are told
     * the inner one; the handler's other MBeans, registered through the wrapper, would then never be found to go.
     */
    private final MBeanServer server;

    BandwidthMBean(BandwidthStats stats, MBeanServer server) {
        super(BandwidthStats.class.getName(), "HTTP body bandwidth of the Undertow handler '" + stats.name()
                + "'; percentiles, largest sizes and transfers in flight: " + MBeanPublisher.CONSOLE_DOMAIN + ":name="
                + stats.name() + ",view=*", List.of(StatsAttribute.values()));
        this.stats = stats;
        this.server = server;
    }

    @Override
    BandwidthSnapshot snapshot() {
        return stats.exportedSnapshot();
    }

    @Override
    public ObjectName preRegister(MBeanServer told, ObjectName name) {
        return name;
    }

    @Override
    public void postRegister(Boolean registrationDone) {
    }

    @Override
    public void preDeregister() {
    }

    @Override
    public void postDeregister() {
        stats.mbeanUnregistered(server);
    }
}
