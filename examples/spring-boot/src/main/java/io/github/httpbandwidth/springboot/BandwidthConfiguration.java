package io.github.httpbandwidth.springboot;

import io.github.httpbandwidth.BandwidthHandler;
import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.ClientKey;
import io.github.httpbandwidth.servlet.ServletEndpoints;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.embedded.undertow.UndertowDeploymentInfoCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * Switches the monitor on the way a Boot user expects: on by default, off with {@code bandwidth.enabled=false}.
 * The handler wraps the servlet deployment outermost, so every exchange of the application is counted; endpoints
 * are Spring MVC's route patterns behind the context path ({@link ServletEndpoints}, from
 * {@code undertow-bandwidth-servlet}). The MBean is
 * {@code io.github.httpbandwidth:type=BandwidthStats,name=${bandwidth.name:spring}} and goes with the context.
 * Top clients: {@code bandwidth.client-key} (as {@code undertow-handlers.conf} writes it, default
 * {@code remote-address}; for example {@code header:X-Worker-Id|remote-address}) and
 * {@code bandwidth.client-capacity} (default 50, 0 turns the table off); {@code bandwidth.row-hold} (for example
 * {@code 30s}: how long a new endpoint, status class or client row shows 0 to the exporter, so that Prometheus counts
 * its first exchanges; default the library's, 120 s); a value the library refuses stops the context with its
 * message, which says what is allowed.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "bandwidth.enabled", havingValue = "true", matchIfMissing = true)
public class BandwidthConfiguration {

    @Bean(destroyMethod = "close")
    BandwidthStats bandwidthStats(@Value("${bandwidth.name:spring}") String name,
                                  @Value("${bandwidth.client-key:remote-address}") String clientKey,
                                  @Value("${bandwidth.client-capacity:50}") int clientCapacity,
                                  @Value("${bandwidth.row-hold:#{null}}") Duration rowHold) {
        BandwidthStats.Builder builder = BandwidthStats.builder().name(name).classifier(new ServletEndpoints())
                .clientKey(ClientKey.parse(clientKey)).clientCapacity(clientCapacity);
        if (rowHold != null) {
            builder.rowHold(rowHold);
        }
        BandwidthStats stats = builder.build();
        stats.registerMBean(ManagementFactory.getPlatformMBeanServer());
        return stats;
    }

    @Bean
    UndertowDeploymentInfoCustomizer bandwidthHandler(BandwidthStats stats) {
        return deployment -> deployment.addOuterHandlerChainWrapper(BandwidthHandler.wrapper(stats));
    }
}
