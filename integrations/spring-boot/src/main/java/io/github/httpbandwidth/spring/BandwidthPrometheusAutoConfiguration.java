package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthStats;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.jmx.JmxCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Lazy;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;

import javax.management.MalformedObjectNameException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The shipped JMX exporter rules evaluated into Actuator's Prometheus registry, by the exporter's own rule engine
 * ({@code io.prometheus.jmx:collector}, a client_java {@code MultiCollector}): {@code /actuator/prometheus} then
 * carries the {@code scheduler_http_*} metrics with the names, labels and types {@code jmx_prometheus_javaagent}
 * gives them. Off with {@code bandwidth.prometheus.enabled=false}; another rules file (a renamed copy) with
 * {@code bandwidth.prometheus.rules}.
 */
@AutoConfiguration(after = {BandwidthAutoConfiguration.class, BandwidthReactiveAutoConfiguration.class}, afterName =
        "org.springframework.boot.actuate.autoconfigure.metrics.export.prometheus.PrometheusMetricsExportAutoConfiguration")
@ConditionalOnClass({PrometheusMeterRegistry.class, JmxCollector.class})
@ConditionalOnBean(BandwidthStats.class)
@ConditionalOnProperty(name = "bandwidth.prometheus.enabled", havingValue = "true", matchIfMissing = true)
public class BandwidthPrometheusAutoConfiguration {

    /** Where the rules shipped with this version are in the starter's jar. */
    public static final String SHIPPED_RULES = "classpath:io/github/httpbandwidth/spring/jmx-exporter-config.yaml";

    /**
     * Into the registry Actuator's Prometheus endpoint scrapes, when there is one (there is none, for example, with
     * {@code management.prometheus.metrics.export.enabled=false}); the rules file is read either way, so a wrong
     * {@code bandwidth.prometheus.rules} stops the application at once. Made at start-up even with
     * {@code spring.main.lazy-initialization=true}: nothing else asks for it, and without it the endpoint would carry
     * none of the series.
     */
    @Bean
    @Lazy(false)
    BandwidthRules bandwidthRules(ObjectProvider<PrometheusRegistry> registry, BandwidthProperties properties,
                                  ResourceLoader resources) {
        return BandwidthRules.register(registry.getIfAvailable(),
                resources.getResource(properties.getPrometheus().getRules()));
    }

    /** The rule engine, registered in a {@link PrometheusRegistry} when there is one, taken out of it with the context. */
    public static final class BandwidthRules implements AutoCloseable {

        private final PrometheusRegistry registry; // null: no Prometheus registry in the context
        private final JmxCollector collector;

        private BandwidthRules(PrometheusRegistry registry, JmxCollector collector) {
            this.registry = registry;
            this.collector = collector;
        }

        static BandwidthRules register(PrometheusRegistry registry, Resource rules) {
            String yaml;
            try (InputStream in = rules.getInputStream()) {
                yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException("bandwidth.prometheus.rules: cannot read " + rules
                        + " (a Spring resource location of a JMX exporter rules file, for example file:rules.yaml)", e);
            }
            JmxCollector collector;
            try {
                collector = new JmxCollector(yaml);
            } catch (MalformedObjectNameException | RuntimeException e) {
                throw new IllegalArgumentException("bandwidth.prometheus.rules: " + rules
                        + " is not a valid JMX exporter rules file: " + e.getMessage(), e);
            }
            if (registry != null) {
                collector.register(registry); // with its own jmx_scrape_* gauges, which it sets on every scrape
            }
            return new BandwidthRules(registry, collector);
        }

        /** Whether the rules are in a Prometheus registry (Actuator's Prometheus registry was there). */
        public boolean registered() {
            return registry != null;
        }

        @Override
        public void close() {
            if (registry != null) {
                registry.unregister(collector);
            }
        }
    }
}
