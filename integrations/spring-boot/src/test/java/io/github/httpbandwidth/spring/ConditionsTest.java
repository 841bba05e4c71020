package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.springapp.PlainApplication;
import io.github.httpbandwidth.testapp.TestApplication;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.DefaultResourceLoader;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** When the starter switches itself on, off, or refuses a setting; and that IDEs learn its properties. */
class ConditionsTest {

    @Test
    void offWithBandwidthEnabledFalse() {
        try (ConfigurableApplicationContext context = start(WebApplicationType.SERVLET, "bandwidth.enabled=false")) {
            assertThat(context.getBeansOfType(BandwidthStats.class)).isEmpty();
            assertThat(context.getBeansOfType(BandwidthPrometheusAutoConfiguration.BandwidthRules.class)).isEmpty();
        }
    }

    @Test
    void onForWebFluxOnUndertowAndOffThereWithBandwidthEnabledFalse() {
        try (ConfigurableApplicationContext context = start(WebApplicationType.REACTIVE)) {
            assertThat(context.getBeansOfType(BandwidthStats.class)).hasSize(1);
            assertThat(context.getBeansOfType(ReactiveHandlerPlacement.class)).hasSize(1);
            assertThat(context.getBean(BandwidthPrometheusAutoConfiguration.BandwidthRules.class).registered()).isTrue();
        }
        try (ConfigurableApplicationContext context = start(WebApplicationType.REACTIVE, "bandwidth.enabled=false")) {
            assertThat(context.getBeansOfType(BandwidthStats.class)).isEmpty();
            assertThat(context.getBeansOfType(ReactiveHandlerPlacement.class)).isEmpty();
            assertThat(context.getBeansOfType(WebFluxEndpoints.class)).isEmpty();
        }
    }

    /**
     * Without the starter's meters nothing keeps them off Actuator's Prometheus registry, so the gauge that reads the
     * registry's common tags ({@link CommonLabels#of}) is registered there for a moment: it must be gone again, the
     * rules' series carrying the tags it read.
     */
    @Test
    void micrometerMetersOffWithBandwidthMicrometerEnabledFalse() {
        try (ConfigurableApplicationContext context = start(PlainApplication.class, WebApplicationType.SERVLET,
                "bandwidth.micrometer.enabled=false", "management.metrics.tags.application=jobs")) {
            assertThat(context.getBeansOfType(BandwidthStats.class)).hasSize(1);
            assertThat(context.getBeansOfType(BandwidthMeters.class)).isEmpty();
            MetricSnapshots scrape = context.getBean(PrometheusRegistry.class).scrape();
            assertThat(scrape.stream().map(metric -> metric.getMetadata().getPrometheusName()))
                    .contains("scheduler_http_requests").noneMatch(name -> name.startsWith("undertow_bandwidth"));
            assertThat(scrape.stream().filter(m -> m.getMetadata().getPrometheusName().equals("scheduler_http_requests"))
                    .flatMap(m -> m.getDataPoints().stream()).map(point -> point.getLabels().get("application")))
                    .containsOnly("jobs");
        }
    }

    @Test
    void offWithoutAnUndertowServer() {
        try (ConfigurableApplicationContext context = start(WebApplicationType.NONE)) {
            assertThat(context.getBeansOfType(BandwidthStats.class)).isEmpty();
        }
    }

    @Test
    void withoutAPrometheusRegistryTheRulesAreReadButRegisteredNowhere() {
        try (ConfigurableApplicationContext context = start(WebApplicationType.SERVLET,
                "bandwidth.name=no-actuator", "management.prometheus.metrics.export.enabled=false")) {
            assertThat(context.getBeansOfType(BandwidthStats.class)).hasSize(1);
            assertThat(context.getBean(BandwidthPrometheusAutoConfiguration.BandwidthRules.class).registered()).isFalse();
        }
    }

    /**
     * With Micrometer's Prometheus registry from before 1.13 only (Spring Boot 3.2's; the 1.13 one hidden here), the
     * rules cannot reach {@code /actuator/prometheus}: the starter says so once at start-up, for a servlet and a
     * WebFlux application alike; with the 1.13 one (here beside the old one), or the rules off, it says nothing.
     */
    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void withOnlyTheRegistryBeforeMicrometer113ItSaysTheRulesCannotReachActuator(CapturedOutput output) {
        ClassLoader before113 = new FilteredClassLoader(BandwidthMetersAutoConfiguration.PROMETHEUS_REGISTRY);
        for (WebApplicationType type : new WebApplicationType[] {WebApplicationType.SERVLET, WebApplicationType.REACTIVE}) {
            int before = output.getAll().length();
            try (ConfigurableApplicationContext context = start(TestApplication.class, before113, type)) {
                assertThat(context.getBeansOfType(BandwidthStats.class)).hasSize(1);
                assertThat(context.getBeansOfType(BandwidthPrometheusAutoConfiguration.BandwidthRules.class)).isEmpty();
                assertThat(context.getBeansOfType(BandwidthMeters.class)).hasSize(1);
            }
            String said = output.getAll().substring(before);
            assertThat(said.split(java.util.regex.Pattern.quote(BandwidthLegacyPrometheusAutoConfiguration.MESSAGE), -1))
                    .as(type + ": the message, once").hasSize(2);
            assertThat(said).contains("WARN");

            before = output.getAll().length();
            try (ConfigurableApplicationContext context = start(type)) {
                assertThat(context.getBean(BandwidthPrometheusAutoConfiguration.BandwidthRules.class).registered()).isTrue();
            }
            try (ConfigurableApplicationContext context = start(TestApplication.class, before113, type,
                    "bandwidth.prometheus.enabled=false")) {
                assertThat(context.getBeansOfType(BandwidthStats.class)).hasSize(1);
            }
            assertThat(output.getAll().substring(before)).as(type + ": nothing said")
                    .doesNotContain(BandwidthLegacyPrometheusAutoConfiguration.LEGACY_REGISTRY);
        }
    }

    /**
     * {@code spring.main.lazy-initialization=true} makes beans when something first asks for them: nothing asks for
     * the rules, yet /actuator/prometheus must carry their series, for a servlet and a WebFlux application alike.
     */
    @Test
    void withLazyInitializationTheRulesAreStillInActuatorsRegistry() {
        for (WebApplicationType type : new WebApplicationType[] {WebApplicationType.SERVLET, WebApplicationType.REACTIVE}) {
            try (ConfigurableApplicationContext context = start(type, "spring.main.lazy-initialization=true")) {
                assertThat(context.getBean(PrometheusRegistry.class).scrape().stream()
                        .map(metric -> metric.getMetadata().getPrometheusName()))
                        .as(type.name()).contains("scheduler_http_requests", "scheduler_http_bandwidth_bytes");
            }
        }
    }

    /**
     * A refused setting stops the application with Boot's own report of a bad property value, as a user reads it at
     * start-up: the property as they wrote it, its value, where it was set, and what is allowed; for a servlet and a
     * WebFlux application alike, and for a name another handler in the JVM already has.
     */
    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void aRefusedSettingIsReportedAsABadPropertyValueNamingWhatIsAllowed(CapturedOutput output) {
        String[][] cases = {
                // setting, property, the value as reported, what the reason says
                {"bandwidth.client-capacity=5000", "bandwidth.client-capacity", "5000", "allowed are 0 (no top clients) to 1000"},
                {"bandwidth.endpoint-cap=0", "bandwidth.endpoint-cap", "0", "allowed are 1 to 10000"},
                {"bandwidth.client-key=cookie:sid", "bandwidth.client-key", "cookie:sid", "allowed are remote-address, principal"},
                {"bandwidth.client-key=header:Authorization", "bandwidth.client-key", "header:Authorization", "X-Worker-Id"},
                {"bandwidth.client-key=header:X Bad", "bandwidth.client-key", "header:X Bad", "not a header name"},
                {"bandwidth.row-hold=2h", "bandwidth.row-hold", "2h", "to 3600 seconds"},
                {"bandwidth.name=a,b=c", "bandwidth.name", "a,b=c", "allowed are 1 to 64 characters"},
                {"bandwidth.prometheus.rules=classpath:none.yaml", "bandwidth.prometheus.rules", "classpath:none.yaml",
                        "cannot read"},
                {"bandwidth.prometheus.rules=classpath:not-rules.yaml", "bandwidth.prometheus.rules",
                        "classpath:not-rules.yaml", "is not a valid JMX exporter rules file"},
        };
        for (WebApplicationType type : new WebApplicationType[] {WebApplicationType.SERVLET, WebApplicationType.REACTIVE}) {
            for (String[] c : cases) {
                int before = output.getAll().length();
                assertThatThrownBy(() -> start(type, c[0]).close()).as(type + " " + c[0])
                        .satisfies(e -> assertThat(refusal(e)).as(type + " " + c[0]).isNotNull()
                                .satisfies(r -> assertThat(r.getName()).isEqualTo(c[1])));
                assertThat(output.getAll().substring(before)).as(type + " " + c[0])
                        .contains("APPLICATION FAILED TO START")
                        .contains("Invalid value '" + c[2] + "' for configuration property '" + c[1] + "'")
                        .contains(c[3]);
            }
        }
        try (ConfigurableApplicationContext first = start(WebApplicationType.SERVLET, "bandwidth.name=taken")) {
            int before = output.getAll().length();
            assertThatThrownBy(() -> start(WebApplicationType.REACTIVE, "bandwidth.name=taken").close())
                    .satisfies(e -> assertThat(refusal(e).getName()).isEqualTo("bandwidth.name"));
            assertThat(output.getAll().substring(before)).contains("APPLICATION FAILED TO START")
                    .contains("Invalid value 'taken' for configuration property 'bandwidth.name'")
                    .contains("is already registered");
            // The refused one closed only itself: the first keeps its MBean.
            assertThat(java.lang.management.ManagementFactory.getPlatformMBeanServer()
                    .isRegistered(first.getBean(BandwidthStats.class).objectName())).isTrue();
        }
    }

    private static InvalidConfigurationPropertyValueException refusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InvalidConfigurationPropertyValueException refusal) {
                return refusal;
            }
        }
        return null;
    }

    @Test
    void everyPropertyHasIdeMetadataWithItsDescription() throws Exception {
        String metadata = new String(new ClassPathResource("META-INF/spring-configuration-metadata.json")
                .getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        for (String property : new String[] {"bandwidth.enabled", "bandwidth.name", "bandwidth.client-key",
                "bandwidth.client-capacity", "bandwidth.endpoint-cap", "bandwidth.row-hold",
                "bandwidth.prometheus.enabled", "bandwidth.prometheus.rules", "bandwidth.micrometer.enabled"}) {
            assertThat(metadata).contains("\"name\": \"" + property + "\"");
        }
        assertThat(metadata).contains("header:X-Worker-Id|remote-address");
    }

    private static ConfigurableApplicationContext start(WebApplicationType type, String... settings) {
        return start(TestApplication.class, type, settings);
    }

    private static ConfigurableApplicationContext start(Class<?> application, WebApplicationType type,
                                                        String... settings) {
        return start(application, ConditionsTest.class.getClassLoader(), type, settings);
    }

    /** With the conditions judged by {@code classes} (a {@link FilteredClassLoader} hides some). */
    private static ConfigurableApplicationContext start(Class<?> application, ClassLoader classes,
                                                        WebApplicationType type, String... settings) {
        return new SpringApplicationBuilder(application).web(type).resourceLoader(new DefaultResourceLoader(classes))
                // Micrometer's OTLP registry (on the test classpath for OtlpMetersTest) would push to localhost:4318.
                .properties("server.port=0", "server.address=127.0.0.1", "bandwidth.name=conditions",
                        "management.otlp.metrics.export.enabled=false")
                .properties(settings).run();
    }
}
