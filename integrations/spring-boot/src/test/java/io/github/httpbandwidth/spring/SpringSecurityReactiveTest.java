package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthSnapshot;
import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.EndpointSnapshot;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.userdetails.MapReactiveUserDetailsService;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring Security in front of Spring WebFlux on Undertow (its own surefire execution, with {@link SpringSecurityTest}).
 */
@SpringBootTest(classes = SpringSecurityReactiveTest.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.main.web-application-type=reactive", "server.address=127.0.0.1",
                "management.endpoints.web.exposure.include=prometheus",
                "management.prometheus.metrics.export.enabled=true", "bandwidth.name=reactive-secured",
                "bandwidth.row-hold=0s"})
class SpringSecurityReactiveTest {

    @LocalServerPort
    int port;
    @Autowired
    BandwidthStats stats;

    private final HttpClient client = HttpClient.newHttpClient();

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(Jobs.class)
    static class App {
        @Bean
        SecurityWebFilterChain chain(ServerHttpSecurity http) {
            return http.authorizeExchange(exchanges -> exchanges.pathMatchers("/actuator/**").permitAll()
                            .anyExchange().authenticated())
                    .httpBasic(Customizer.withDefaults()).csrf(csrf -> csrf.disable()).build();
        }

        @Bean
        MapReactiveUserDetailsService users() {
            return new MapReactiveUserDetailsService(
                    User.withUsername("user").password("{noop}pw").roles("USER").build());
        }
    }

    @RestController
    static class Jobs {
        @GetMapping(value = "/jobs/{id}", produces = "text/plain")
        Mono<String> job(@PathVariable String id) {
            return Mono.just("j".repeat(1000));
        }
    }

    /**
     * WebFlux's Spring Security refuses before any handler is looked up, so nothing names the route: those requests are
     * on {@code (unmatched)}, as Spring's own {@code http.server.requests} puts them on {@code uri="UNKNOWN"}.
     */
    @Test
    void requestsSpringSecurityRefusesAreOnUnmatchedAsSpringsUnknown() throws Exception {
        assertThat(get(null).statusCode()).isEqualTo(401);
        assertThat(get("user:wrong").statusCode()).isEqualTo(401);
        assertThat(get("user:pw").body()).hasSize(1000);

        BandwidthSnapshot s = Await.completed(stats, 3);
        Map<String, Long> rows = new TreeMap<>();
        for (EndpointSnapshot row : s.endpoints()) {
            if (row.requests() > 0) {
                rows.put(row.endpoint(), row.requests());
            }
        }
        assertThat(rows).containsExactlyInAnyOrderEntriesOf(Map.of("(unmatched)", 2L, "/jobs/{id}", 1L));
        assertThat(s.endpoint("/jobs/{id}").bytesSent()).isEqualTo(1000);
        // Spring's own metric, recorded as its observation ends: waited for, not read once.
        String unknown = "status=\"401\",uri=\"UNKNOWN\"} 2";
        long deadline = System.nanoTime() + 20_000_000_000L;
        String text = scrape();
        while (!text.contains(unknown) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(50_000_000);
            text = scrape();
        }
        assertThat(text).contains(unknown);
    }

    private String scrape() throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private HttpResponse<String> get(String credentials) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/jobs/1"));
        if (credentials != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
