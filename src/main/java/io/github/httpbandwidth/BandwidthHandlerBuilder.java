package io.github.httpbandwidth;

import io.undertow.server.HandlerWrapper;
import io.undertow.server.handlers.builder.HandlerBuilder;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Set;

/**
 * Lets {@code undertow-handlers.conf} (and WildFly's Undertow filter expressions) switch the monitor on:
 * <pre>{@code
 * bandwidth(name=api, endpoint-cap=128)
 * bandwidth(name=shop, classifier=io.github.httpbandwidth.servlet.ServletEndpoints)
 * bandwidth(name=shop, client-key='principal|remote-address', client-capacity=100)
 * }</pre>
 * or {@code bandwidth(api)}. Each build creates a {@link BandwidthStats} with those options and registers its
 * MBean in the platform MBeanServer; {@code name} defaults to {@code default}, {@code endpoint-cap} to
 * {@value BandwidthStats#DEFAULT_ENDPOINT_CAP}, {@code classifier} (the full name of a public
 * {@link EndpointClassifier} class with a public no-argument constructor) to the route-template classifier,
 * {@code client-key} (as {@link ClientKey#parse} reads it) to {@code remote-address}, {@code client-capacity} to
 * {@value ClientTable#DEFAULT_CAPACITY} (0: no top clients), {@code row-hold} (seconds a new row shows zero to the
 * exporter, {@link BandwidthStats.Builder#rowHold}) to {@value RowHold#DEFAULT_SECONDS} or the system property
 * {@value RowHold#PROPERTY}.
 * Registered in {@code META-INF/services}.
 *
 * <p>A parameter given twice ({@code bandwidth(name=a, name=b)}) cannot be refused here: Undertow's parser keeps the
 * last one before this class sees the options.
 *
 * <p>An application server parses the file again at every deployment and never says that the previous one ended,
 * so a build replaces an MBean of the same name that an earlier copy of this library registered (the previous
 * deployment's), instead of failing; that earlier instance then counts unseen until it is collected. Two live
 * applications must therefore use two names: a copy of this library in another deployment's class loader (one of
 * another name) is not taken over but refused, saying so, as is an MBean of that name registered by anything else.
 *
 * <p>Stability: the configuration syntax ({@code bandwidth}, {@code name}, {@code endpoint-cap},
 * {@code classifier}, {@code client-key}, {@code client-capacity}, {@code row-hold}) is supported; the class is public only because Undertow's service loader needs it, and is
 * not meant to be called directly.
 */
public final class BandwidthHandlerBuilder implements HandlerBuilder {

    static final String NAME = "name";
    static final String ENDPOINT_CAP = "endpoint-cap";
    static final String CLASSIFIER = "classifier";
    static final String CLIENT_KEY = "client-key";
    static final String CLIENT_CAPACITY = "client-capacity";
    static final String ROW_HOLD = "row-hold";

    @Override
    public String name() {
        return "bandwidth";
    }

    @Override
    public Map<String, Class<?>> parameters() {
        // The numbers are read here, not by Undertow's parser, so that a bad one is refused with its name.
        return Map.of(NAME, String.class, ENDPOINT_CAP, String.class, CLASSIFIER, String.class,
                CLIENT_KEY, String.class, CLIENT_CAPACITY, String.class, ROW_HOLD, String.class);
    }

    @Override
    public Set<String> requiredParameters() {
        return Set.of();
    }

    @Override
    public String defaultParameter() {
        return NAME;
    }

    /**
     * @throws IllegalArgumentException for a name or cap that {@link BandwidthStats.Builder} refuses, or a classifier
     *     class that cannot be found or created
     * @throws IllegalStateException when an MBean of that name is already registered by something else than this
     *     library, or by another deployment's copy of it (not this application's previous deployment)
     */
    @Override
    public HandlerWrapper build(Map<String, Object> config) {
        BandwidthStats.Builder builder = BandwidthStats.builder();
        if (config.get(NAME) != null) {
            builder.name((String) config.get(NAME));
        }
        if (config.get(ENDPOINT_CAP) != null) {
            builder.endpointCap(endpointCap(ENDPOINT_CAP, config.get(ENDPOINT_CAP)));
        }
        if (config.get(CLASSIFIER) != null) {
            builder.classifier(ClassifierByName.create((String) config.get(CLASSIFIER)));
        }
        if (config.get(CLIENT_KEY) != null) {
            builder.clientKey(ClientKey.parse((String) config.get(CLIENT_KEY)));
        }
        if (config.get(CLIENT_CAPACITY) != null) {
            builder.clientCapacity(clientCapacity(CLIENT_CAPACITY, config.get(CLIENT_CAPACITY)));
        }
        if (config.get(ROW_HOLD) != null) {
            builder.rowHold(RowHold.parse(ROW_HOLD, String.valueOf(config.get(ROW_HOLD))));
        }
        BandwidthStats stats = builder.build();
        // Parsed again at every (re)deployment, and nothing tells a handler builder that its deployment ended: the
        // new configuration takes over the name from the previous one.
        stats.registerMBeanReplacingEarlier(ManagementFactory.getPlatformMBeanServer());
        return BandwidthHandler.wrapper(stats);
    }

    /** An endpoint cap written in configuration; refused under the {@code parameter} name it was written with. */
    static int endpointCap(String parameter, Object text) {
        return BandwidthStats.checkedEndpointCap(parameter,
                number(parameter, text, BandwidthStats.ENDPOINT_CAP_ALLOWED));
    }

    /** A client capacity written in configuration; refused under the {@code parameter} name it was written with. */
    static int clientCapacity(String parameter, Object text) {
        return BandwidthStats.checkedClientCapacity(parameter,
                number(parameter, text, BandwidthStats.CLIENT_CAPACITY_ALLOWED));
    }

    private static int number(String parameter, Object text, String allowed) {
        String value = String.valueOf(text).strip();
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(parameter + ": got " + value + "; allowed are " + allowed, e);
        }
    }
}
