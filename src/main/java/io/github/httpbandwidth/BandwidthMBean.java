package io.github.httpbandwidth;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.ImmutableDescriptor;
import javax.management.MBeanInfo;
import javax.management.MBeanNotificationInfo;
import javax.management.MBeanRegistration;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.ReflectionException;
import javax.management.openmbean.OpenMBeanAttributeInfoSupport;
import javax.management.openmbean.OpenMBeanConstructorInfoSupport;
import javax.management.openmbean.OpenMBeanInfoSupport;
import javax.management.openmbean.OpenMBeanOperationInfoSupport;

/**
 * The read-only open MBean that shows one {@link BandwidthStats}; only open types, so JConsole, VisualVM and the
 * JMX exporter read it without this library on their class path.
 *
 * <p>{@link #getAttributes} reads all requested attributes from one {@link BandwidthSnapshot}, so a client that
 * reads them together (JConsole's attribute table, the JMX exporter's scrape) sees figures that agree.
 *
 * <p>When it is unregistered, by {@link BandwidthStats#close()} or by anyone else (an undeployed application's
 * clean-up, the next deployment taking its name over), it tells its stats, which stop sampling in the background
 * once no MBean of theirs is left: nothing of an unregistered instance keeps a thread alive.
 */
final class BandwidthMBean implements DynamicMBean, MBeanRegistration {

    private final BandwidthStats stats;
    private final MBeanInfo info;
    private volatile MBeanServer server;

    BandwidthMBean(BandwidthStats stats) {
        this.stats = stats;
        StatsAttribute[] all = StatsAttribute.values();
        OpenMBeanAttributeInfoSupport[] attributes = new OpenMBeanAttributeInfoSupport[all.length];
        for (int i = 0; i < all.length; i++) {
            attributes[i] = all[i].info();
        }
        this.info = new OpenMBeanInfoSupport(BandwidthStats.class.getName(),
                "HTTP body bandwidth of the Undertow handler '" + stats.name() + "'", attributes,
                new OpenMBeanConstructorInfoSupport[0], new OpenMBeanOperationInfoSupport[0],
                new MBeanNotificationInfo[0], new ImmutableDescriptor("immutableInfo=true"));
    }

    @Override
    public Object getAttribute(String attribute) throws AttributeNotFoundException {
        return find(attribute).read(stats.snapshot());
    }

    @Override
    public AttributeList getAttributes(String[] attributes) {
        BandwidthSnapshot snapshot = stats.snapshot();
        AttributeList list = new AttributeList(attributes.length);
        for (String name : attributes) {
            StatsAttribute attribute = StatsAttribute.named(name);
            if (attribute != null) {
                list.add(new Attribute(name, attribute.read(snapshot)));
            }
        }
        return list;
    }

    @Override
    public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
        throw new AttributeNotFoundException("BandwidthStats attributes are read-only; cannot set "
                + attribute.getName());
    }

    @Override
    public AttributeList setAttributes(AttributeList attributes) {
        return new AttributeList();
    }

    @Override
    public Object invoke(String actionName, Object[] params, String[] signature) throws ReflectionException {
        throw new ReflectionException(new NoSuchMethodException(actionName), "BandwidthStats has no operations");
    }

    @Override
    public MBeanInfo getMBeanInfo() {
        return info;
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

    private static StatsAttribute find(String name) throws AttributeNotFoundException {
        StatsAttribute attribute = StatsAttribute.named(name);
        if (attribute == null) {
            throw new AttributeNotFoundException("BandwidthStats has no attribute " + name
                    + "; see its MBeanInfo for the list");
        }
        return attribute;
    }
}
