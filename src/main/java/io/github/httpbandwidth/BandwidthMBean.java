package io.github.httpbandwidth;

import javax.management.MBeanException;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanRegistration;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.ReflectionException;
import javax.management.openmbean.OpenMBeanOperationInfoSupport;
import javax.management.openmbean.OpenMBeanParameterInfoSupport;
import javax.management.openmbean.SimpleType;
import java.util.List;

/**
 * The read-only open MBean that shows one {@link BandwidthStats}, with one operation,
 * {@code largestTransfersInFlight(int)}.
 *
 * <p>When it is unregistered, by {@link BandwidthStats#close()} or by anyone else (an undeployed application's
 * clean-up, the next deployment taking its name over), it tells its stats, which then unregister their endpoint and
 * listener MBeans in that server and stop sampling in the background once no MBean of theirs is left: nothing of
 * an unregistered instance keeps a thread alive.
 */
final class BandwidthMBean extends ReadOnlyOpenMBean<BandwidthSnapshot> implements MBeanRegistration {

    static final String LARGEST_TRANSFERS = "largestTransfersInFlight";
    private static final int MOST_TRANSFERS = InFlightTransfers.MAX_LISTED;

    private final BandwidthStats stats;
    private volatile MBeanServer server;

    BandwidthMBean(BandwidthStats stats) {
        super(BandwidthStats.class.getName(), "HTTP body bandwidth of the Undertow handler '" + stats.name() + "'",
                List.of(StatsAttribute.values()), largestTransfersOperation());
        this.stats = stats;
    }

    private static OpenMBeanOperationInfoSupport largestTransfersOperation() {
        OpenMBeanParameterInfoSupport n = new OpenMBeanParameterInfoSupport("n",
                "How many transfers to list, 1 to " + MOST_TRANSFERS, SimpleType.INTEGER);
        return new OpenMBeanOperationInfoSupport(LARGEST_TRANSFERS, "The n largest exchanges in flight whose body "
                + "passed InFlightThresholdBytes, largest first: endpoint, direction, body bytes so far, seconds open, "
                + "current bytes/s, client", new OpenMBeanParameterInfoSupport[] {n}, OpenTypes.TRANSFERS,
                MBeanOperationInfo.INFO);
    }

    @Override
    BandwidthSnapshot snapshot() {
        return stats.snapshot();
    }

    @Override
    public Object invoke(String actionName, Object[] params, String[] signature)
            throws MBeanException, ReflectionException {
        if (!LARGEST_TRANSFERS.equals(actionName)) {
            return super.invoke(actionName, params, signature);
        }
        if (params == null || params.length != 1 || !(params[0] instanceof Integer n) || n < 1 || n > MOST_TRANSFERS) {
            throw new MBeanException(new IllegalArgumentException("n: got " + (params == null ? "nothing"
                    : java.util.Arrays.toString(params)) + "; allowed is one int from 1 to " + MOST_TRANSFERS));
        }
        return OpenTypes.transfers(stats.largestTransfersInFlight(n));
    }

    @Override
    public ObjectName preRegister(MBeanServer server, ObjectName name) {
        this.server = server;
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
