package io.github.httpbandwidth.springboot;

import io.github.httpbandwidth.BandwidthHandler;
import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.servlet.ServletEndpoints;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.embedded.undertow.UndertowDeploymentInfoCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.lang.management.ManagementFactory;

/**
 * Switches the monitor on the way a Boot user expects: on by default, off with {@code bandwidth.enabled=false}.
 * The handler wraps the servlet deployment outermost, so every exchange of the application is counted; endpoints
 * are Spring MVC's route patterns behind the context path ({@link ServletEndpoints}, from
 * {@code undertow-bandwidth-servlet}). The MBean is
 * {@code io.github.httpbandwidth:type=BandwidthStats,name=${bandwidth.name:spring}} and goes with the context.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "bandwidth.enabled", havingValue = "true", matchIfMissing = true)
public class BandwidthConfiguration {

    @Bean(destroyMethod = "close")
    BandwidthStats bandwidthStats(@Value("${bandwidth.name:spring}") String name) {
        BandwidthStats stats = BandwidthStats.builder().name(name).classifier(new ServletEndpoints()).build();
        stats.registerMBean(ManagementFactory.getPlatformMBeanServer());
        return stats;
    }

    @Bean
    UndertowDeploymentInfoCustomizer bandwidthHandler(BandwidthStats stats) {
        return deployment -> deployment.addOuterHandlerChainWrapper(BandwidthHandler.wrapper(stats));
    }
}
