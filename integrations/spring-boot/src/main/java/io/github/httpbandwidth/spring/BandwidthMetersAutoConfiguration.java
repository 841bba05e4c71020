package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthStats;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.actuate.autoconfigure.metrics.MeterRegistryCustomizer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * The bandwidth metrics as Micrometer meters ({@link BandwidthMeters}), so that {@code /actuator/metrics} and
 * Micrometer's registries other than Prometheus's (OTLP, Datadog and the like) carry them; on with Actuator's metrics,
 * off with {@code bandwidth.micrometer.enabled=false}. While the shipped rules are evaluated into Actuator's Prometheus
 * registry ({@link BandwidthPrometheusAutoConfiguration}), that registry gets none of the meters: it already has the
 * figures as {@code scheduler_http_*}, and would otherwise expose each twice (a Prometheus registry on its own is left
 * out by the binder, so no meter is made; one inside a composite with other registries, by a filter). The same for the
 * OpenTelemetry Java agent's Micrometer bridge while the agent's JMX rules read the MBeans.
 */
@AutoConfiguration(after = {BandwidthAutoConfiguration.class, BandwidthReactiveAutoConfiguration.class})
@ConditionalOnClass({MeterBinder.class, MeterRegistryCustomizer.class})
@ConditionalOnBean(BandwidthStats.class)
@ConditionalOnProperty(name = "bandwidth.micrometer.enabled", havingValue = "true", matchIfMissing = true)
public class BandwidthMetersAutoConfiguration {

    private static final Log LOG = LogFactory.getLog(BandwidthMetersAutoConfiguration.class);

    /** Actuator's Prometheus registry gets none, while the rules are evaluated into it. */
    @Bean(destroyMethod = "close")
    BandwidthMeters bandwidthMeters(BandwidthStats stats, BandwidthProperties properties) {
        boolean rulesInPrometheus = properties.getPrometheus().isEnabled();
        return new BandwidthMeters(stats, ManagementFactory.getPlatformMBeanServer(),
                registry -> rulesInPrometheus && isA(registry.getClass(), PROMETHEUS_REGISTRY));
    }

    static final String PROMETHEUS_REGISTRY = "io.micrometer.prometheusmetrics.PrometheusMeterRegistry";
    /**
     * The registry of the OpenTelemetry Java agent's Micrometer bridge
     * ({@code otel.instrumentation.micrometer.enabled}), shaded into the agent, which adds it to Spring Boot's
     * composite registry (the meters reach it through the composite, so a filter keeps them out).
     */
    static final String AGENT_BRIDGE_REGISTRY =
            "io.opentelemetry.javaagent.shaded.instrumentation.micrometer.v1_5.OpenTelemetryMeterRegistry";

    /**
     * The agent's Micrometer bridge without the meters, while the agent's JMX Metric Insight reads these MBeans with
     * rules ({@code otel.jmx.config}, such as the shipped {@code bandwidth-otel-rules.yaml}): the meters carry the
     * rules' names and attributes, so the agent would export every figure twice, once per instrumentation scope.
     * Without such rules the bridge keeps them: then they are the agent's only source of these figures.
     */
    @Bean
    MeterRegistryCustomizer<MeterRegistry> bandwidthMetersOffTheAgentsBridge() {
        List<String> rules = AgentJmxRules.readingTheseMBeans(System::getProperty, System::getenv);
        return registry -> {
            if (!rules.isEmpty() && isA(registry.getClass(), AGENT_BRIDGE_REGISTRY)) {
                registry.config().meterFilter(MeterFilter.denyNameStartsWith(BandwidthMeters.PREFIX));
                LOG.info("The OpenTelemetry agent's JMX rules " + rules + " read the bandwidth MBeans: its Micrometer "
                        + "bridge gets none of the " + BandwidthMeters.PREFIX + "* meters, so each figure is exported "
                        + "once");
            }
        };
    }

    /** Whether {@code type} is the class named {@code name} or extends it (by name: the class may be absent). */
    static boolean isA(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** Actuator's Prometheus registry without the meters, while the rules give it the same figures. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(PrometheusMeterRegistry.class)
    @ConditionalOnProperty(name = "bandwidth.prometheus.enabled", havingValue = "true", matchIfMissing = true)
    static class NotTwiceOnPrometheus {

        @Bean
        MeterRegistryCustomizer<PrometheusMeterRegistry> bandwidthMetersOffPrometheus() {
            return registry -> registry.config().meterFilter(MeterFilter.denyNameStartsWith(BandwidthMeters.PREFIX));
        }
    }
}
