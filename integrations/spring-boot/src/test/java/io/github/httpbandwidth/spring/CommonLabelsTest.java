package io.github.httpbandwidth.spring;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@link CommonLabels#of} reads from a real Prometheus meter registry, and that a failing filter stops nothing. */
class CommonLabelsTest {

    @Test
    void theRegistrysCommonTagsAsItsExpositionNamesThemAndTheProbeGone() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("app.name", "jobs", "region", "eu-1");

        assertThat((Object) CommonLabels.of(registry)).isEqualTo(Labels.of("app_name", "jobs", "region", "eu-1"));
        assertThat(registry.getMeters()).isEmpty();
        assertThat(registry.scrape()).doesNotContain("common_tags");
    }

    @Test
    void aFilterThatFailsGivesNoLabelsInsteadOfAFailedStart() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                throw new IllegalStateException("an application's filter that fails");
            }
        });

        assertThat((Object) CommonLabels.of(registry)).isEqualTo(Labels.EMPTY);
    }
}
