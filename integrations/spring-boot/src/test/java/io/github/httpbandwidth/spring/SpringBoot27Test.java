package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthSnapshot;
import io.github.httpbandwidth.BandwidthStats;
import io.micrometer.core.instrument.MeterRegistry;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.QueryParam;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter in a Spring Boot 2.7 application (the {@code javax} APIs, Undertow 2.2, Jersey 2, Micrometer 1.9), as
 * it is, with no configuration of the application's own: Spring MVC's patterns, error pages on the controller's
 * pattern, Jersey's JAX-RS templates, compressed responses counted as sent, and the Micrometer meters; and a Spring
 * WebFlux application on its patterns. Compiled with
 * the other tests against Boot 3.5 and run only on Boot 2.7.18's class path:
 * {@code mvn -f integrations/spring-boot/pom.xml surefire:test -Pboot27} (after
 * {@code test-compile}).
 */
class SpringBoot27Test {

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private ConfigurableApplicationContext context;
    private int port;

    @SpringBootApplication(scanBasePackages = "none")
    static class Application {
        @Bean
        Jobs jobs() {
            return new Jobs();
        }

        @Bean
        ResourceConfig jersey() {
            return new ResourceConfig(Orders.class);
        }
    }

    @RestController
    static class Jobs {
        @GetMapping("/jobs/{id}")
        String job(@PathVariable("id") String id, @RequestParam("size") int size) {
            return "j".repeat(size);
        }

        @PostMapping("/jobs/{id}/logs")
        String logs(@PathVariable("id") String id, @RequestBody byte[] body) {
            return "logged " + body.length;
        }

        @GetMapping("/jobs/{id}/boom")
        String boom(@PathVariable("id") String id) {
            throw new IllegalStateException("a controller that fails");
        }
    }

    @Path("/orders")
    public static class Orders {
        @GET
        @Path("{id}")
        public String order(@PathParam("id") String id, @QueryParam("size") int size) {
            return "o".repeat(size);
        }

        @POST
        @Path("{id}/lines")
        public String lines(@PathParam("id") String id, byte[] body) {
            return "lines " + body.length;
        }
    }

    @AfterEach
    void stop() {
        if (context != null) {
            context.close();
        }
    }

    @Test
    void theStarterCountsABoot27ApplicationOnItsPatternsAndTemplates() throws Exception {
        countsSpringMvcAndJersey("servlet");
    }

    /** Jersey as a filter in front of Spring MVC's servlet: its path from its base URI ({@code JerseyFilterTest}). */
    @Test
    void theStarterCountsJerseyAsAFilterOnItsTemplates() throws Exception {
        countsSpringMvcAndJersey("filter");
    }

    private void countsSpringMvcAndJersey(String jerseyType) throws Exception {
        BandwidthStats stats = start(Application.class, WebApplicationType.SERVLET, "bandwidth.name=boot27",
                "spring.jersey.application-path=/rest", "spring.jersey.type=" + jerseyType);

        Map<String, Long> sent = new TreeMap<>();
        sent.merge("/jobs/{id}", get("/jobs/1?size=1234", 200, false), Long::sum);
        sent.merge("/jobs/{id}", get("/jobs/2?size=4321", 200, false), Long::sum);
        sent.merge("/jobs/{id}/logs", post("/jobs/3/logs", 6_543, "logged 6543"), Long::sum);
        // Boot's error page answers for the controller: the row stays the controller's pattern.
        sent.merge("/jobs/{id}/boom", get("/jobs/4/boom", 500, false), Long::sum);
        sent.merge("/rest/orders/{id}", get("/rest/orders/5?size=999", 200, false), Long::sum);
        sent.merge("/rest/orders/{id}/lines", post("/rest/orders/6/lines", 3_210, "lines 3210"), Long::sum);
        // No resource matched: the Jersey servlet's mapping, or, with Jersey a filter, the mapping of the servlet
        // behind it (Spring MVC's, at /), as JerseyTest and JerseyFilterTest have it on Boot 3.
        sent.merge(jerseyType.equals("filter") ? "/*" : "/rest/*", get("/rest/nothing", 404, false), Long::sum);
        // Compressed by Boot: counted as it crossed the connection, fewer bytes than the 50,000 the controller wrote.
        long compressed = get("/jobs/7?size=50000", 200, true);
        assertThat(compressed).isLessThan(1_000);
        sent.merge("/jobs/{id}", compressed, Long::sum);

        BandwidthSnapshot s = Await.completed(stats, 8);
        assertThat(Loopback.bytesSentByRow(s)).isEqualTo(sent);
        assertThat(s.endpoint("/jobs/{id}/logs").bytesReceived()).isEqualTo(6_543);
        assertThat(s.endpoint("/rest/orders/{id}/lines").bytesReceived()).isEqualTo(3_210);
        assertThat(s.bytesReceived()).isEqualTo(6_543 + 3_210);
        assertThat(Loopback.statusClasses(s)).containsEntry("/jobs/{id}/boom 5xx", 1L)
                .containsEntry((jerseyType.equals("filter") ? "/*" : "/rest/*") + " 4xx", 1L);

        // Micrometer 1.9's registry has the starter's meters, reading the same MBean.
        MeterRegistry registry = context.getBean(MeterRegistry.class);
        assertThat(registry.get("undertow.bandwidth.request.body.size.sum").tag("handler", "boot27")
                .functionCounter().count()).isEqualTo(6_543 + 3_210);
    }

    @SpringBootApplication(scanBasePackages = "none")
    static class ReactiveApplication {
        @Bean
        Things things() {
            return new Things();
        }
    }

    @RestController
    static class Things {
        @GetMapping(value = "/things/{id}", produces = "text/plain")
        Mono<String> thing(@PathVariable("id") String id, @RequestParam("size") int size) {
            if (size < 0) {
                return Mono.error(new IllegalStateException("a handler that fails"));
            }
            return Mono.just("t".repeat(size));
        }

        @PostMapping(value = "/things/{id}", produces = "text/plain")
        Mono<String> put(@PathVariable("id") String id, @RequestBody Mono<byte[]> body) {
            return body.map(bytes -> "stored " + bytes.length);
        }
    }

    @Test
    void theStarterCountsABoot27WebFluxApplicationOnItsPatterns() throws Exception {
        BandwidthStats stats = start(ReactiveApplication.class, WebApplicationType.REACTIVE,
                "bandwidth.name=boot27-reactive");

        Map<String, Long> sent = new TreeMap<>();
        sent.merge("/things/{id}", get("/things/1?size=876", 200, false), Long::sum);
        sent.merge("/things/{id}", post("/things/2", 5_432, "stored 5432"), Long::sum);
        sent.merge("/things/{id}", get("/things/3?size=-1", 500, false), Long::sum);
        long compressed = get("/things/4?size=40000", 200, true);
        assertThat(compressed).isLessThan(1_000);
        sent.merge("/things/{id}", compressed, Long::sum);

        BandwidthSnapshot s = Await.completed(stats, 4);
        assertThat(Loopback.bytesSentByRow(s)).isEqualTo(sent);
        assertThat(s.bytesReceived()).isEqualTo(5_432);
        assertThat(Loopback.statusClasses(s)).containsEntry("/things/{id} 5xx", 1L)
                .containsEntry("/things/{id} 2xx", 3L);
    }

    /**
     * Starts {@code application} on a free loopback port with Boot's compression on for text of 1 KiB or more, no
     * row hold, and {@code properties}; its monitor.
     */
    private BandwidthStats start(Class<?> application, WebApplicationType type, String... properties) {
        assertThat(SpringBootVersion.getVersion()).as("run with -Pboot27").startsWith("2.7.");
        context = new SpringApplicationBuilder(application).web(type).properties(
                "server.address=127.0.0.1", "server.port=0", "bandwidth.row-hold=0s", "server.compression.enabled=true",
                "server.compression.min-response-size=1024", "server.compression.mime-types=text/plain")
                .properties(properties).run();
        port = ((WebServerApplicationContext) context).getWebServer().getPort();
        return context.getBean(BandwidthStats.class);
    }

    /** The response body's bytes as they came over the connection (compressed when asked and Boot compressed it). */
    private long get(String path, int status, boolean gzip) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (gzip) {
            request.header("Accept-Encoding", "gzip");
        }
        HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).as(path).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Encoding")).as(path).isEqualTo(
                gzip ? Optional.of("gzip") : Optional.empty());
        return response.body().length;
    }

    private long post(String path, int size, String answer) throws Exception {
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("Content-Type", "application/octet-stream")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[size])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        assertThat(response.body()).isEqualTo(answer);
        return answer.length();
    }
}
