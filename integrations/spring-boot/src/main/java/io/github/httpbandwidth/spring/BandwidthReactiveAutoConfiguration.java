package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthStats;
import io.undertow.Undertow;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.embedded.undertow.UndertowReactiveWebServerFactory;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.server.WebFilter;

/**
 * The monitor for a Spring WebFlux application served by Undertow: on by default when the reactive server is
 * Undertow's, off with {@code bandwidth.enabled=false}; the same {@code bandwidth.*} properties, MBean and
 * {@code /actuator/prometheus} metrics ({@link BandwidthPrometheusAutoConfiguration}) as for a servlet application.
 *
 * <ul>
 *   <li>The handler outermost around Boot's reactive Undertow handler chain ({@link ReactiveHandlerPlacement}), so
 *       every exchange is counted, and compressed responses as they cross the connection.</li>
 *   <li>Endpoints named by WebFlux's patterns behind the base path ({@link WebFluxEndpoints}).</li>
 * </ul>
 */
@AutoConfiguration(afterName =
        "org.springframework.boot.autoconfigure.web.reactive.ReactiveWebServerFactoryAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass({Undertow.class, UndertowReactiveWebServerFactory.class, WebFilter.class})
@ConditionalOnBean(UndertowReactiveWebServerFactory.class)
@ConditionalOnProperty(name = "bandwidth.enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(BandwidthProperties.class)
public class BandwidthReactiveAutoConfiguration {

    @Bean
    WebFluxEndpoints bandwidthWebFluxEndpoints() {
        return new WebFluxEndpoints();
    }

    @Bean(destroyMethod = "close")
    BandwidthStats bandwidthStats(BandwidthProperties properties, WebFluxEndpoints endpoints) {
        return properties.registeredStats(endpoints);
    }

    @Bean
    ReactiveHandlerPlacement bandwidthReactiveHandler(BandwidthStats stats, ApplicationContext context) {
        return new ReactiveHandlerPlacement(stats, context);
    }
}
