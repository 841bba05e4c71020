package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.ClientKey;
import io.github.httpbandwidth.EndpointClassifier;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

import javax.management.InstanceAlreadyExistsException;
import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * The {@code bandwidth.*} properties. Values the library refuses stop the application with the library's message,
 * which names the property's meaning and what is allowed.
 */
@ConfigurationProperties(prefix = "bandwidth")
public class BandwidthProperties {

    /** Whether the monitor wraps the Undertow server's servlet deployment. */
    private boolean enabled = true;

    /**
     * The handler's name: the MBean is io.github.httpbandwidth:type=BandwidthStats,name=<name> and every series
     * carries handler="<name>". Letters, digits, '.', '-' and '_'.
     */
    private String name = "spring";

    /**
     * How top clients are told apart, as undertow-handlers.conf writes it: remote-address, header:<Name> (never a
     * credential header), forwarded-for:<trusted proxy ranges>, joined with '|' for fallbacks, for example
     * header:X-Worker-Id|remote-address.
     */
    private String clientKey = "remote-address";

    /** Rows of the top-clients table (0 turns it off, at most 1000). */
    private int clientCapacity = 50;

    /** Endpoint rows kept before the rest count as (overflow) (1 to 10000). */
    private int endpointCap = 256;

    /**
     * How long a new endpoint, status-class or client row shows 0 to the exporter, so that Prometheus counts its
     * first exchanges (0 to 3600 s). Unset: the library's default, 120 s.
     */
    private Duration rowHold;

    private final Prometheus prometheus = new Prometheus();

    private final Micrometer micrometer = new Micrometer();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getClientKey() {
        return clientKey;
    }

    public void setClientKey(String clientKey) {
        this.clientKey = clientKey;
    }

    public int getClientCapacity() {
        return clientCapacity;
    }

    public void setClientCapacity(int clientCapacity) {
        this.clientCapacity = clientCapacity;
    }

    public int getEndpointCap() {
        return endpointCap;
    }

    public void setEndpointCap(int endpointCap) {
        this.endpointCap = endpointCap;
    }

    public Duration getRowHold() {
        return rowHold;
    }

    public void setRowHold(Duration rowHold) {
        this.rowHold = rowHold;
    }

    /**
     * The stats these properties describe, naming endpoints by {@code classifier}, their MBean registered. A setting
     * the library refuses stops the application as Boot reports a bad property value ({@link #refused}).
     */
    BandwidthStats registeredStats(EndpointClassifier classifier) {
        BandwidthStats.Builder builder = BandwidthStats.builder().classifier(classifier);
        checked("bandwidth.name", name, () -> builder.name(name));
        checked("bandwidth.endpoint-cap", endpointCap, () -> builder.endpointCap(endpointCap));
        checked("bandwidth.client-key", clientKey, () -> builder.clientKey(ClientKey.parse(clientKey)));
        checked("bandwidth.client-capacity", clientCapacity, () -> builder.clientCapacity(clientCapacity));
        if (rowHold != null) {
            checked("bandwidth.row-hold", rowHold, () -> builder.rowHold(rowHold));
        }
        BandwidthStats stats = builder.build();
        try {
            stats.registerMBean(ManagementFactory.getPlatformMBeanServer());
        } catch (IllegalStateException e) {
            stats.close();
            if (e.getCause() instanceof InstanceAlreadyExistsException) {
                throw new InvalidConfigurationPropertyValueException("bandwidth.name", name, "the MBean "
                        + "io.github.httpbandwidth:type=BandwidthStats,name=" + name + " is already registered: "
                        + "another handler or application in this JVM has this name; give this one a name of its own");
            }
            throw e;
        }
        return stats;
    }

    private static void checked(String property, Object value, Runnable setting) {
        try {
            setting.run();
        } catch (IllegalArgumentException e) {
            throw refused(property, value, e);
        }
    }

    /**
     * A setting refused as Boot refuses a bad property value: its failure analysis then reports the property as the
     * user wrote it, its value and where it was set, and {@code why} (what is allowed), without the library's own
     * name of the setting.
     */
    static InvalidConfigurationPropertyValueException refused(String property, Object value,
                                                              IllegalArgumentException why) {
        String reason = String.valueOf(why.getMessage());
        reason = reason.startsWith(property + ": ") ? reason.substring(property.length() + 2)
                : reason.replaceFirst("^[A-Za-z ]{1,32}: (?=got )", "");
        return new InvalidConfigurationPropertyValueException(property, value, reason);
    }

    public Prometheus getPrometheus() {
        return prometheus;
    }

    public Micrometer getMicrometer() {
        return micrometer;
    }

    /** The metrics on Actuator's Prometheus endpoint. */
    public static class Prometheus {

        /**
         * Whether the exporter rules are evaluated into Actuator's Prometheus registry (when
         * micrometer-registry-prometheus is there).
         */
        private boolean enabled = true;

        /**
         * The JMX exporter rules file to evaluate, a Spring resource location. Default: the rules shipped with this
         * version (jmx-exporter-config.yaml), or give a copy renamed by examples/rename-metrics.sh.
         */
        private String rules = BandwidthPrometheusAutoConfiguration.SHIPPED_RULES;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getRules() {
            return rules;
        }

        public void setRules(String rules) {
            this.rules = rules;
        }
    }

    /** The metrics as Micrometer meters, for /actuator/metrics and Micrometer's registries other than Prometheus's. */
    public static class Micrometer {

        /**
         * Whether the metrics are Micrometer meters too (undertow.bandwidth.*, the names of the OpenTelemetry rules),
         * kept off Actuator's Prometheus registry while the exporter rules are evaluated into it.
         */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }
}
