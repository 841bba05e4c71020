package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthStats;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * Says at start-up why {@code /actuator/prometheus} has no {@code scheduler_http_*} metrics when the only Prometheus
 * registry on the class path is Micrometer's from before 1.13 ({@value #LEGACY_REGISTRY}, Spring Boot 3.2 and older,
 * or {@code micrometer-registry-prometheus-simpleclient}): the shipped rules go into the 1.13 registry
 * ({@link BandwidthPrometheusAutoConfiguration}), which is not there, so only the {@code undertow_bandwidth_*} meters
 * reach that endpoint. Nothing else changes; off with {@code bandwidth.prometheus.enabled=false}.
 */
@AutoConfiguration(after = {BandwidthAutoConfiguration.class, BandwidthReactiveAutoConfiguration.class})
@ConditionalOnClass(name = BandwidthLegacyPrometheusAutoConfiguration.LEGACY_REGISTRY)
@ConditionalOnMissingClass(BandwidthMetersAutoConfiguration.PROMETHEUS_REGISTRY)
@ConditionalOnBean(BandwidthStats.class)
@ConditionalOnProperty(name = "bandwidth.prometheus.enabled", havingValue = "true", matchIfMissing = true)
public class BandwidthLegacyPrometheusAutoConfiguration {

    private static final Log LOG = LogFactory.getLog(BandwidthLegacyPrometheusAutoConfiguration.class);

    /** Micrometer's Prometheus registry before 1.13, on the Prometheus simpleclient. */
    static final String LEGACY_REGISTRY = "io.micrometer.prometheus.PrometheusMeterRegistry";

    static final String MESSAGE = "Micrometer's Prometheus registry is the one from before Micrometer 1.13 ("
            + LEGACY_REGISTRY + "), and the 1.13 one (" + BandwidthMetersAutoConfiguration.PROMETHEUS_REGISTRY
            + ", Spring Boot 3.3 and later) is not on the class path: /actuator/prometheus gets the "
            + "undertow_bandwidth_* meters but not the shipped rules' scheduler_http_* metrics, which need the 1.13 "
            + "registry (bandwidth.prometheus.enabled=false leaves this message out)";

    /** Once, when the context has made its beans (lazy initialisation leaves this kind of bean out). */
    @Bean
    SmartInitializingSingleton bandwidthRulesNeedMicrometer113() {
        return () -> LOG.warn(MESSAGE);
    }
}
