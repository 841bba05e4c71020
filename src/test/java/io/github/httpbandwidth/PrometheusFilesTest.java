package io.github.httpbandwidth;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped Prometheus files pass promtool's own checks and the rules' unit tests. */
class PrometheusFilesTest {

    @Test
    void shippedConfigIsValid() throws Exception {
        Promtool.Result result = Promtool.run(null, "check", "config", "examples/prometheus/prometheus.yml");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS: 1 rule files found");
    }

    @Test
    void shippedRulesAreValid() throws Exception {
        Promtool.Result result = Promtool.run(null, "check", "rules", "examples/prometheus/rules.yml");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS: 16 rules found");
    }

    @Test
    void shippedRulesPassTheirUnitTests() throws Exception {
        Promtool.Result result = Promtool.run(null, "test", "rules", "examples/prometheus/rules_test.yml");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }
}
