package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthStats;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.springframework.boot.actuate.autoconfigure.metrics.MeterRegistryCustomizer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.lang.management.ManagementFactory;

/**
 * The bandwidth metrics as Micrometer meters ({@link BandwidthMeters}), so that {@code /actuator/metrics} and
 * Micrometer's registries other than Prometheus's (OTLP, Datadog and the like) carry them; on with Actuator's metrics,
 * off with {@code bandwidth.micrometer.enabled=false}. While the shipped rules are evaluated into Actuator's Prometheus
 * registry ({@link BandwidthPrometheusAutoConfiguration}), that registry gets none of the meters: it already has the
 * figures as {@code scheduler_http_*}, and would otherwise expose each twice (a Prometheus registry on its own is left
 * out by the binder, so no meter is made; one inside a composite with other registries, by a filter).
 */
@AutoConfiguration(after = {BandwidthAutoConfiguration.class, BandwidthReactiveAutoConfiguration.class})
@ConditionalOnClass({MeterBinder.class, MeterRegistryCustomizer.class})
@ConditionalOnBean(BandwidthStats.class)
@ConditionalOnProperty(name = "bandwidth.micrometer.enabled", havingValue = "true", matchIfMissing = true)
public class BandwidthMetersAutoConfiguration {

    /** Actuator's Prometheus registry gets none, while the rules are evaluated into it. */
    @Bean(destroyMethod = "close")
    BandwidthMeters bandwidthMeters(BandwidthStats stats, BandwidthProperties properties) {
        boolean rulesInPrometheus = properties.getPrometheus().isEnabled();
        return new BandwidthMeters(stats, ManagementFactory.getPlatformMBeanServer(),
                registry -> rulesInPrometheus && isA(registry.getClass(), PROMETHEUS_REGISTRY));
    }

    static final String PROMETHEUS_REGISTRY = "io.micrometer.prometheusmetrics.PrometheusMeterRegistry";

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
