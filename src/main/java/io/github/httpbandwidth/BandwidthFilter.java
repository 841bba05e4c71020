package io.github.httpbandwidth;

import io.undertow.server.HandlerWrapper;
import io.undertow.server.HttpHandler;

import java.lang.management.ManagementFactory;

/**
 * The monitor as WildFly builds handlers from configuration: its undertow subsystem's {@code custom-filter} (a
 * class, a module and parameters, then a {@code filter-ref}) and {@code jboss-web.xml}'s {@code <http-handler>}
 * create a {@link HandlerWrapper} with its no-argument constructor, set the parameters through JavaBean setters,
 * then call {@link #wrap}.
 *
 * <pre>{@code
 * /subsystem=undertow/configuration=filter/custom-filter=bandwidth:add(
 *     class-name=io.github.httpbandwidth.BandwidthFilter, module=io.github.httpbandwidth,
 *     parameters={name=server, endpointCap=128,
 *         classifier=io.github.httpbandwidth.servlet.ServletEndpoints, clientKey=principal|remote-address})
 * /subsystem=undertow/server=default-server/host=default-host/filter-ref=bandwidth:add
 * }</pre>
 *
 * <p>Each {@link #wrap} creates a {@link BandwidthStats} with the parameters and registers its MBean in the
 * platform MBeanServer, taking the name over from an earlier copy (a handler chain built again). Parameters:
 * {@code name} (default {@code default}) and {@code endpointCap} (default
 * {@value BandwidthStats#DEFAULT_ENDPOINT_CAP}), as in {@link BandwidthStats.Builder}, and {@code classifier}: the
 * full name of a public {@link EndpointClassifier} class with a public no-argument constructor, visible to the
 * module (default: the route-template classifier, which names nothing in a servlet deployment); {@code clientKey}
 * ({@link ClientKey#parse}, default {@code remote-address}) and {@code clientCapacity} (default
 * {@value ClientTable#DEFAULT_CAPACITY}, 0 for none) for the top clients; {@code rowHold} (seconds,
 * {@link BandwidthStats.Builder#rowHold}).
 *
 * <p>Stability: the class name, the no-argument constructor and the six properties are supported. Not
 * thread-safe while being configured; {@link #wrap} may be called from any thread afterwards.
 */
public final class BandwidthFilter implements HandlerWrapper {

    private final BandwidthStats.Builder builder = BandwidthStats.builder();
    /** The first parameter refused, which {@link #wrap} refuses again. */
    private IllegalArgumentException refused;

    /** For WildFly's configured handlers: set the properties, then {@link #wrap}. */
    public BandwidthFilter() {
    }

    /**
     * The {@code name} key of the MBean's ObjectName.
     *
     * @throws IllegalArgumentException as {@link BandwidthStats.Builder#name} says
     */
    public void setName(String name) {
        set(() -> builder.name(name));
    }

    /**
     * How many named endpoint rows to keep: a whole number, 1 to {@value BandwidthStats#MAX_ENDPOINT_CAP} (default
     * {@value BandwidthStats#DEFAULT_ENDPOINT_CAP}).
     *
     * @throws IllegalArgumentException for anything else, saying what is allowed
     */
    public void setEndpointCap(String endpointCap) {
        set(() -> builder.endpointCap(BandwidthHandlerBuilder.endpointCap("endpointCap", endpointCap)));
    }

    /**
     * How exchanges are named: the full name of a public {@link EndpointClassifier} class with a public no-argument
     * constructor, such as {@code io.github.httpbandwidth.servlet.ServletEndpoints}.
     *
     * @throws IllegalArgumentException when the class cannot be found, is not a classifier or cannot be created
     */
    public void setClassifier(String className) {
        set(() -> builder.classifier(ClassifierByName.create(className)));
    }

    /**
     * Who the top clients are, as {@link ClientKey#parse} reads it: {@code principal},
     * {@code header:X-Worker-Id|remote-address}, ... Default {@code remote-address}.
     *
     * @throws IllegalArgumentException for a key it cannot read, saying what is allowed
     */
    public void setClientKey(String clientKey) {
        set(() -> builder.clientKey(ClientKey.parse(clientKey)));
    }

    /**
     * How many clients the top clients table keeps: a whole number, 0 (none) to {@value ClientTable#MAX_CAPACITY}
     * (default {@value ClientTable#DEFAULT_CAPACITY}).
     *
     * @throws IllegalArgumentException for anything else, saying what is allowed
     */
    public void setClientCapacity(String clientCapacity) {
        set(() -> builder.clientCapacity(BandwidthHandlerBuilder.clientCapacity("clientCapacity", clientCapacity)));
    }

    /**
     * Seconds a new endpoint, status class or client row shows 0 to the exporter before its counts: a whole number,
     * 0 to {@value RowHold#MAX_SECONDS} (default the system property {@value RowHold#PROPERTY}, else
     * {@value RowHold#DEFAULT_SECONDS}).
     *
     * @throws IllegalArgumentException for anything else, saying what is allowed
     */
    public void setRowHold(String seconds) {
        set(() -> builder.rowHold(RowHold.parse("rowHold", String.valueOf(seconds))));
    }

    /**
     * Remembers a refused parameter before throwing: WildFly's {@code ConfiguredHandlerWrapper} maps parameters with
     * jboss-common-beans, which only logs (at FINEST) what a setter throws and goes on, so {@link #wrap} must refuse
     * it again, as WildFly refuses a parameter name it does not know.
     */
    private void set(Runnable setting) {
        try {
            setting.run();
        } catch (IllegalArgumentException e) {
            if (refused == null) {
                refused = e;
            }
            throw e;
        }
    }

    /**
     * The monitor with the parameters set, its MBean registered in the platform MBeanServer.
     *
     * @throws IllegalArgumentException when a parameter was refused (its message again), so that the filter fails
     *     saying what is allowed rather than count with a default in the parameter's place
     */
    @Override
    public HttpHandler wrap(HttpHandler handler) {
        if (refused != null) {
            throw new IllegalArgumentException(refused.getMessage(), refused);
        }
        BandwidthStats stats = builder.build();
        stats.registerMBeanReplacingEarlier(ManagementFactory.getPlatformMBeanServer());
        return new BandwidthHandler(stats, handler);
    }
}
