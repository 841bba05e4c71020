package io.github.httpbandwidth;

import javax.management.ImmutableDescriptor;
import javax.management.openmbean.OpenMBeanAttributeInfoSupport;
import javax.management.openmbean.OpenType;
import java.util.function.Function;

/** A read-only attribute of one of this library's open MBeans, read from a snapshot of type {@code S}. */
interface OpenAttribute<S> {

    String attributeName();

    Object read(S snapshot);

    OpenMBeanAttributeInfoSupport info();

    /** The info of a read-only attribute whose description ends with its unit, as JConsole shows it. */
    static OpenMBeanAttributeInfoSupport info(String name, String description, Unit unit, OpenType<?> type) {
        return new OpenMBeanAttributeInfoSupport(name, description + " (" + unit.text + ")", type, true, false, false,
                new ImmutableDescriptor("units=" + unit.text));
    }

    /** An attribute given by its parts. */
    static <S> OpenAttribute<S> of(String name, String description, Unit unit, OpenType<?> type,
                                   Function<S, Object> reader) {
        OpenMBeanAttributeInfoSupport info = info(name, description, unit, type);
        return new OpenAttribute<>() {
            @Override
            public String attributeName() {
                return name;
            }

            @Override
            public Object read(S snapshot) {
                return reader.apply(snapshot);
            }

            @Override
            public OpenMBeanAttributeInfoSupport info() {
                return info;
            }
        };
    }
}
