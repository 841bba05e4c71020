package io.github.httpbandwidth;

import io.undertow.server.HandlerWrapper;
import io.undertow.server.HttpHandler;

import java.lang.management.ManagementFactory;
import java.time.Duration;

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

    /** For WildFly's configured handlers: set the properties, then {@link #wrap}. */
    public BandwidthFilter() {
    }

    /**
     * The {@code name} key of the MBean's ObjectName.
     *
     * @throws IllegalArgumentException as {@link BandwidthStats.Builder#name} says
     */
    public void setName(String name) {
        builder.name(name);
    }

    /**
     * How many named endpoint rows to keep.
     *
     * @throws IllegalArgumentException as {@link BandwidthStats.Builder#endpointCap} says
     */
    public void setEndpointCap(int endpointCap) {
        builder.endpointCap(endpointCap);
    }

    /**
     * How exchanges are named: the full name of a public {@link EndpointClassifier} class with a public no-argument
     * constructor, such as {@code io.github.httpbandwidth.servlet.ServletEndpoints}.
     *
     * @throws IllegalArgumentException when the class cannot be found, is not a classifier or cannot be created
     */
    public void setClassifier(String className) {
        builder.classifier(ClassifierByName.create(className));
    }

    /**
     * Who the top clients are, as {@link ClientKey#parse} reads it: {@code principal},
     * {@code header:X-Worker-Id|remote-address}, ... Default {@code remote-address}.
     *
     * @throws IllegalArgumentException for a key it cannot read, saying what is allowed
     */
    public void setClientKey(String clientKey) {
        builder.clientKey(ClientKey.parse(clientKey));
    }

    /**
     * How many clients the top clients table keeps; 0 turns it off.
     *
     * @throws IllegalArgumentException as {@link BandwidthStats.Builder#clientCapacity} says
     */
    public void setClientCapacity(int clientCapacity) {
        builder.clientCapacity(clientCapacity);
    }

    /**
     * Seconds a new endpoint, status class or client row shows 0 to the exporter before its counts (default the
     * system property {@value RowHold#PROPERTY}, else {@value RowHold#DEFAULT_SECONDS}).
     *
     * @throws IllegalArgumentException as {@link BandwidthStats.Builder#rowHold} says
     */
    public void setRowHold(int seconds) {
        builder.rowHold(RowHold.checked("rowHold", Duration.ofSeconds(seconds)));
    }

    @Override
    public HttpHandler wrap(HttpHandler handler) {
        BandwidthStats stats = builder.build();
        stats.registerMBeanReplacingEarlier(ManagementFactory.getPlatformMBeanServer());
        return new BandwidthHandler(stats, handler);
    }
}
