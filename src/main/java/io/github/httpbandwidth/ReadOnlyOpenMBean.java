package io.github.httpbandwidth;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.ImmutableDescriptor;
import javax.management.MBeanException;
import javax.management.MBeanInfo;
import javax.management.MBeanNotificationInfo;
import javax.management.ReflectionException;
import javax.management.openmbean.OpenMBeanAttributeInfoSupport;
import javax.management.openmbean.OpenMBeanConstructorInfoSupport;
import javax.management.openmbean.OpenMBeanInfoSupport;
import javax.management.openmbean.OpenMBeanOperationInfoSupport;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A read-only open MBean whose attributes come from one snapshot of type {@code S}: only open types, so JConsole,
 * VisualVM and the JMX exporter read it without this library on their class path, and {@link #getAttributes} reads
 * every requested attribute from the same snapshot, so figures read together agree.
 */
abstract class ReadOnlyOpenMBean<S> implements DynamicMBean {

    /* One field for what instances of a kind share: an MBean per endpoint row is 8 bytes smaller than with two. */
    private final Shape<S> shape;

    ReadOnlyOpenMBean(String className, String description, List<? extends OpenAttribute<S>> attributes,
                      OpenMBeanOperationInfoSupport... operations) {
        this(new Shape<>(className, description, attributes, operations));
    }

    /** An MBean of a shape many instances share (its MBeanInfo and attribute map are then held once). */
    ReadOnlyOpenMBean(Shape<S> shape) {
        this.shape = shape;
    }

    /** The MBeanInfo and the attributes by name: what instances of one kind can share. */
    static final class Shape<S> {
        private final Map<String, OpenAttribute<S>> attributes = new HashMap<>();
        private final MBeanInfo info;

        Shape(String className, String description, List<? extends OpenAttribute<S>> attributes,
              OpenMBeanOperationInfoSupport... operations) {
            OpenMBeanAttributeInfoSupport[] infos = new OpenMBeanAttributeInfoSupport[attributes.size()];
            for (int i = 0; i < infos.length; i++) {
                OpenAttribute<S> attribute = attributes.get(i);
                this.attributes.put(attribute.attributeName(), attribute);
                infos[i] = attribute.info();
            }
            this.info = new OpenMBeanInfoSupport(className, description, infos, new OpenMBeanConstructorInfoSupport[0],
                    operations, new MBeanNotificationInfo[0], new ImmutableDescriptor("immutableInfo=true"));
        }
    }

    /** One read of what the attributes show; null when there is nothing to show (every attribute then reads null). */
    abstract S snapshot();

    @Override
    public Object getAttribute(String attribute) throws AttributeNotFoundException {
        OpenAttribute<S> found = shape.attributes.get(attribute);
        if (found == null) {
            throw new AttributeNotFoundException(shape.info.getClassName() + " has no attribute " + attribute
                    + "; see its MBeanInfo for the list");
        }
        S snapshot = snapshot();
        return snapshot == null ? null : found.read(snapshot);
    }

    @Override
    public AttributeList getAttributes(String[] names) {
        S snapshot = snapshot();
        AttributeList list = new AttributeList(names.length);
        for (String name : names) {
            OpenAttribute<S> attribute = shape.attributes.get(name);
            if (attribute != null && snapshot != null) {
                list.add(new Attribute(name, attribute.read(snapshot)));
            }
        }
        return list;
    }

    @Override
    public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
        throw new AttributeNotFoundException(shape.info.getClassName() + " attributes are read-only; cannot set "
                + attribute.getName());
    }

    @Override
    public AttributeList setAttributes(AttributeList attributes) {
        return new AttributeList();
    }

    @Override
    public Object invoke(String actionName, Object[] params, String[] signature)
            throws MBeanException, ReflectionException {
        throw new ReflectionException(new NoSuchMethodException(actionName), shape.info.getClassName()
                + " has no operation " + actionName);
    }

    @Override
    public MBeanInfo getMBeanInfo() {
        return shape.info;
    }
}
