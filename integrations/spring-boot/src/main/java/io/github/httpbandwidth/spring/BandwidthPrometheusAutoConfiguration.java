package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthStats;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.jmx.JmxCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
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
 * gives them, and the common tags Actuator puts on every meter ({@code management.metrics.tags.*}). Off with
 * {@code bandwidth.prometheus.enabled=false}; another rules file (a renamed copy) with
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
    BandwidthRules bandwidthRules(ObjectProvider<PrometheusRegistry> registry,
                                  ObjectProvider<PrometheusMeterRegistry> meters, BandwidthProperties properties,
                                  ResourceLoader resources) {
        PrometheusMeterRegistry tagging = meters.getIfAvailable();
        Labels common = tagging == null ? Labels.EMPTY : CommonLabels.of(tagging);
        String rules = properties.getPrometheus().getRules();
        try {
            return BandwidthRules.register(registry.getIfAvailable(), resources.getResource(rules), common);
        } catch (IllegalArgumentException e) {
            throw BandwidthProperties.refused("bandwidth.prometheus.rules", rules, e);
        }
    }

    /**
     * The rule engine, in a registry of its own (with its own {@code jmx_scrape_*} gauges, which it sets on every
     * scrape), whose scrape goes into a {@link PrometheusRegistry} when there is one, with the common tags of
     * Actuator's meters ({@link CommonLabels}); taken out of it with the context.
     */
    public static final class BandwidthRules implements AutoCloseable {

        private final PrometheusRegistry registry; // null: no Prometheus registry in the context
        private final CommonLabels collector;

        private BandwidthRules(PrometheusRegistry registry, CommonLabels collector) {
            this.registry = registry;
            this.collector = collector;
        }

        static BandwidthRules register(PrometheusRegistry registry, Resource rules, Labels common) {
            String yaml;
            try (InputStream in = rules.getInputStream()) {
                yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException("bandwidth.prometheus.rules: cannot read " + rules
                        + " (a Spring resource location of a JMX exporter rules file, for example file:rules.yaml)", e);
            }
            JmxCollector engine;
            try {
                engine = new JmxCollector(yaml);
            } catch (MalformedObjectNameException | RuntimeException e) {
                throw new IllegalArgumentException("bandwidth.prometheus.rules: " + rules
                        + " is not a valid JMX exporter rules file: " + e.getMessage(), e);
            }
            PrometheusRegistry own = new PrometheusRegistry();
            engine.register(own);
            CommonLabels collector = new CommonLabels(own, common);
            if (registry != null) {
                registry.register(collector);
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
