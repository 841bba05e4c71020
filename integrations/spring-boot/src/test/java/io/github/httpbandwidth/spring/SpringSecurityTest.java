package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthSnapshot;
import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.EndpointSnapshot;
import io.github.httpbandwidth.StatusClassSnapshot;
import io.github.httpbandwidth.testapp.TestApplication;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring Security in front of Spring MVC, as most Boot services have it: a request it refuses (401 without or with
 * wrong credentials, 403 without the role) never reaches a controller, yet is on the row of the route it asked for,
 * as Spring's own {@code http.server.requests} puts it on that route's {@code uri}; a refused upload's bytes, which
 * Undertow drains, are on that route too. Run by its own surefire execution: Spring Security on the other tests' class
 * path would lock their applications.
 */
@SpringBootTest(classes = {TestApplication.class, SpringSecurityTest.Security.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "bandwidth.name=secured", "bandwidth.row-hold=0s"})
class SpringSecurityTest {

    private static final int UPLOAD = 7_777;

    @LocalServerPort
    int port;
    @Autowired
    BandwidthStats stats;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Configuration(proxyBeanMethods = false)
    static class Security {
        @Bean
        SecurityFilterChain chain(HttpSecurity http) throws Exception {
            return http.authorizeHttpRequests(requests -> requests.requestMatchers("/artifacts/**").hasRole("ADMIN")
                            .anyRequest().authenticated())
                    .httpBasic(Customizer.withDefaults()).csrf(csrf -> csrf.disable()).build();
        }

        @Bean
        UserDetailsService users() {
            return new InMemoryUserDetailsManager(User.withUsername("user").password("{noop}pw").roles("USER").build(),
                    User.withUsername("admin").password("{noop}pw").roles("ADMIN").build());
        }
    }

    @Test
    void requestsSpringSecurityRefusesAreOnTheRouteTheyAskedFor() throws Exception {
        assertThat(get("/jobs/1", null).statusCode()).isEqualTo(401);
        assertThat(get("/jobs/2", "user:wrong").statusCode()).isEqualTo(401);
        assertThat(get("/jobs/3", "user:pw").body()).hasSize(1000);
        HttpResponse<String> anonymous = post("/artifacts/a.bin", null);
        HttpResponse<String> user = post("/artifacts/b.bin", "user:pw");
        HttpResponse<String> admin = post("/artifacts/c.bin", "admin:pw");
        assertThat(new int[] {anonymous.statusCode(), user.statusCode(), admin.statusCode()}).containsExactly(401, 403, 200);
        assertThat(admin.body()).isEqualTo("n=" + UPLOAD);
        // A path no controller has: Spring MVC's static resources' pattern, as before.
        assertThat(get("/no/such/thing", "user:pw").statusCode()).isEqualTo(404);

        BandwidthSnapshot s = Await.completed(stats, 7);
        Map<String, Long> requests = new TreeMap<>();
        for (EndpointSnapshot row : s.endpoints()) {
            if (row.requests() > 0) {
                requests.put(row.endpoint(), row.requests());
            }
        }
        assertThat(requests).containsExactlyInAnyOrderEntriesOf(Map.of(
                "/jobs/{id}", 3L, "/artifacts/{name}", 3L, "/**", 1L));
        Map<String, Long> classes = new TreeMap<>();
        for (StatusClassSnapshot row : s.statusClasses()) {
            if (row.requests() > 0) {
                classes.put(row.endpoint() + " " + row.statusClass(), row.requests());
            }
        }
        assertThat(classes).containsExactlyInAnyOrderEntriesOf(Map.of("/jobs/{id} 4xx", 2L, "/jobs/{id} 2xx", 1L,
                "/artifacts/{name} 4xx", 2L, "/artifacts/{name} 2xx", 1L, "/** 4xx", 1L));
        // Every upload's bytes arrived (Undertow drains what the application did not read), all on the route.
        assertThat(s.bytesReceived()).isEqualTo(3L * UPLOAD);
        assertThat(s.endpoint("/artifacts/{name}").bytesReceived()).isEqualTo(3L * UPLOAD);
        assertThat(s.endpoint("/artifacts/{name}").bytesSent())
                .isEqualTo(anonymous.body().length() + user.body().length() + admin.body().length());
    }

    private HttpResponse<String> get(String path, String credentials) throws Exception {
        return client.send(authorized(HttpRequest.newBuilder(uri(path)), credentials).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String credentials) throws Exception {
        return client.send(authorized(HttpRequest.newBuilder(uri(path)), credentials)
                        .header("Content-Type", "application/octet-stream")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[UPLOAD])).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder authorized(HttpRequest.Builder request, String credentials) {
        return credentials == null ? request : request.header("Authorization", "Basic "
                + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
