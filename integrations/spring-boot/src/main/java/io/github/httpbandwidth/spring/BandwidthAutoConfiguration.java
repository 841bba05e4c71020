package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.servlet.JavaxJaxRsEndpoints;
import io.github.httpbandwidth.servlet.JavaxTemplateCapture;
import io.github.httpbandwidth.servlet.JaxRsEndpoints;
import io.github.httpbandwidth.servlet.ServletEndpoints;
import io.github.httpbandwidth.servlet.TemplateCapture;
import io.undertow.Undertow;
import jakarta.servlet.DispatcherType;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.jersey.ResourceConfigCustomizer;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.embedded.undertow.UndertowServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.type.AnnotatedTypeMetadata;

import java.util.EnumSet;

/**
 * The monitor for a Spring Boot application served by Undertow: on by default when the server is Undertow's servlet
 * container, off with {@code bandwidth.enabled=false}.
 *
 * <ul>
 *   <li>A {@link BandwidthStats} bean, its MBean {@code io.github.httpbandwidth:type=BandwidthStats,name=<bandwidth.name>}
 *       on the platform MBeanServer (it goes with the context), endpoints named by Spring MVC's route patterns
 *       ({@link ServletEndpoints}).</li>
 *   <li>The handler wrapped outermost around the servlet deployment, so every exchange of the application is
 *       counted, errors and Boot's error page included; Boot's response compression, when on, inside it, so that
 *       compressed responses count as they cross the connection ({@link HandlerPlacement}).</li>
 *   <li>With Jersey, its requests named by their JAX-RS templates ({@link JaxRsEndpoints} in its
 *       {@code ResourceConfig}).</li>
 *   <li>With Actuator's Prometheus registry, the metrics on {@code /actuator/prometheus}:
 *       {@link BandwidthPrometheusAutoConfiguration}; with its other registries and {@code /actuator/metrics},
 *       Micrometer meters: {@link BandwidthMetersAutoConfiguration}. A WebFlux application:
 *       {@link BandwidthReactiveAutoConfiguration}.</li>
 * </ul>
 */
@AutoConfiguration(afterName = "org.springframework.boot.autoconfigure.web.servlet.ServletWebServerFactoryAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({Undertow.class, UndertowServletWebServerFactory.class})
@ConditionalOnBean(UndertowServletWebServerFactory.class)
@ConditionalOnProperty(name = "bandwidth.enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(BandwidthProperties.class)
public class BandwidthAutoConfiguration {

    @Bean(destroyMethod = "close")
    BandwidthStats bandwidthStats(BandwidthProperties properties) {
        return properties.registeredStats(new ServletEndpoints());
    }

    @Bean
    WebServerFactoryCustomizer<UndertowServletWebServerFactory> bandwidthHandler(BandwidthStats stats) {
        return new HandlerPlacement(stats);
    }

    /**
     * Keeps the Spring MVC pattern of the handler that took a request, so that an exception or an error status it
     * ends with is counted on its endpoint, not on {@code /error}, whose handler the error page runs.
     */
    @Configuration(proxyBeanMethods = false)
    @Conditional(BootOnJakarta.class)
    static class TemplateCaptureOnJakarta {

        @Bean
        FilterRegistrationBean<TemplateCapture> bandwidthTemplateCapture() {
            FilterRegistrationBean<TemplateCapture> registration = new FilterRegistrationBean<>(new TemplateCapture());
            registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
            return ordered(registration);
        }
    }

    /**
     * The same on Spring Boot 2.7 ({@code javax.servlet}, Undertow 2.2): {@code JavaxTemplateCapture}. Boot's
     * methods that take the filter and its dispatcher types name the servlet API's types, {@code javax} there and
     * {@code jakarta} in the Boot this class is built against, so those two are called by reflection; the rest is
     * the same registration.
     */
    @Configuration(proxyBeanMethods = false)
    @Conditional(BootOnJavax.class)
    static class TemplateCaptureOnJavax {

        @Bean
        FilterRegistrationBean<?> bandwidthTemplateCapture() throws ReflectiveOperationException {
            ClassLoader loader = FilterRegistrationBean.class.getClassLoader();
            FilterRegistrationBean<?> registration = new FilterRegistrationBean<>();
            FilterRegistrationBean.class.getMethod("setFilter", Class.forName("javax.servlet.Filter", false, loader))
                    .invoke(registration, new JavaxTemplateCapture());
            FilterRegistrationBean.class.getMethod("setDispatcherTypes", EnumSet.class).invoke(registration,
                    enums(Class.forName("javax.servlet.DispatcherType", false, loader), "REQUEST", "ASYNC"));
            return ordered(registration);
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private static EnumSet<?> enums(Class<?> type, String... names) {
            EnumSet set = EnumSet.noneOf((Class<Enum>) type);
            for (String name : names) {
                set.add(Enum.valueOf((Class<Enum>) type, name));
            }
            return set;
        }
    }

    /**
     * Whether this Spring Boot is built on the {@code jakarta} servlet API (Boot 3) rather than {@code javax} (Boot
     * 2.7), read from Boot's own {@code FilterRegistrationBean}: the other API's jar on the class path (a library
     * that brings it) does not change which one Boot calls.
     */
    static boolean bootOnJakarta() {
        try {
            return FilterRegistrationBean.class.getMethod("getFilter").getReturnType().getName().startsWith("jakarta.");
        } catch (NoSuchMethodException e) {
            return true;
        }
    }

    static final class BootOnJakarta implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return bootOnJakarta();
        }
    }

    static final class BootOnJavax implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return !bootOnJakarta();
        }
    }

    private static <T extends FilterRegistrationBean<?>> T ordered(T registration) {
        registration.setName("bandwidthTemplateCapture");
        registration.setAsyncSupported(true);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    /**
     * With Jersey (spring-boot-starter-jersey), its requests named by their JAX-RS templates: {@link JaxRsEndpoints}
     * registered in the application's {@code ResourceConfig} through Boot's customizer (without it, every Jersey
     * request would be on the servlet mapping's row, {@code /*}); {@code JavaxJaxRsEndpoints} with Jersey 2 (Spring
     * Boot 2.7, {@code javax.ws.rs}).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.glassfish.jersey.server.ResourceConfig")
    static class JerseyTemplates {

        @Bean
        ResourceConfigCustomizer bandwidthJaxRsEndpoints() {
            return config -> config.register(
                    jakarta(config.getClass()) ? JaxRsEndpoints.class : JavaxJaxRsEndpoints.class);
        }

        /** Whether {@code application} is a {@code jakarta.ws.rs} one (Jersey 3), not a {@code javax.ws.rs} one. */
        static boolean jakarta(Class<?> application) {
            for (Class<?> type = application; type != null; type = type.getSuperclass()) {
                if (type.getName().equals("jakarta.ws.rs.core.Application")) {
                    return true;
                }
            }
            return false;
        }
    }
}
