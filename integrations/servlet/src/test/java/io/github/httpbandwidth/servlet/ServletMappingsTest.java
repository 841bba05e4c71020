package io.github.httpbandwidth.servlet;

import io.github.httpbandwidth.BandwidthHandler;
import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.EndpointSnapshot;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.Version;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.PathHandler;
import io.undertow.server.handlers.builder.PredicatedHandlersParser;
import io.undertow.server.handlers.resource.PathResourceManager;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.api.ErrorPage;
import io.undertow.servlet.api.ServletContainer;
import io.undertow.servlet.handlers.DefaultServlet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link ServletMappings} in a real Undertow servlet deployment, through Undertow's own {@link DefaultServlet} under
 * every kind of mapping. This class names no servlet API type (its nested {@code JakartaOnly}, loaded by name only,
 * is meant to fail on {@code javax}), so the same compiled test runs on a {@code jakarta} Undertow (2.3, the build's)
 * and, with {@code -Pjavax}, on a {@code javax} one (2.2, as WildFly 26 and JBoss EAP 7.4 have) with no
 * {@code jakarta.servlet} on the class path: see the servlet integration's pom.xml.
 */
class ServletMappingsTest {

    private final BandwidthStats stats = BandwidthStats.builder().name("servlet-mappings-test")
            .classifier(new ServletMappings()).build();
    private final HttpClient client = HttpClient.newHttpClient();
    private final Map<String, Long> received = new HashMap<>();
    private Undertow server;
    private int port;

    @BeforeEach
    void start(@TempDir Path files) throws Exception {
        write(files.resolve("hello.bin"), 1_234);
        write(files.resolve("a.bin"), 5_000);
        write(files.resolve("b.bin"), 7_777);
        Files.createDirectories(files.resolve("deep"));
        write(files.resolve("deep/x.txt"), 300);
        Files.createDirectories(files.resolve("errors"));
        write(files.resolve("errors/missing.txt"), 321);

        ServletContainer container = Servlets.newContainer();
        PathHandler paths = Handlers.path();
        paths.addPrefixPath("/app", deploy(container, "/app", files));
        // The root context given as "/": its names start with the mapping, never "//".
        paths.addPrefixPath("/", deploy(container, "/", files));
        paths.addPrefixPath("/native",
                Handlers.routing().get("/{id}", exchange -> exchange.getResponseSender().send("native")));
        server = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(new BandwidthHandler(stats, paths))
                .build();
        server.start();
        port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    private static void write(Path file, int size) throws Exception {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) ('a' + i % 26);
        }
        Files.write(file, bytes);
    }

    /** Undertow's default servlet under an exact, a path, an extension, the context root's and the default mapping. */
    private static HttpHandler deploy(ServletContainer container, String contextPath, Path files) throws Exception {
        DeploymentInfo info = Servlets.deployment()
                .setClassLoader(ServletMappingsTest.class.getClassLoader())
                .setContextPath(contextPath)
                .setDeploymentName("mappings" + contextPath.replace('/', '-') + ".war")
                .setResourceManager(new PathResourceManager(files))
                .addServlets(
                        Servlets.servlet("exact", DefaultServlet.class).addMapping("/hello.bin"),
                        Servlets.servlet("files", DefaultServlet.class).addMapping("/files/*"),
                        Servlets.servlet("texts", DefaultServlet.class).addMapping("*.txt"),
                        Servlets.servlet("root", DefaultServlet.class).addMapping(""),
                        Servlets.servlet("default", DefaultServlet.class).addMapping("/"))
                // A 404 is rendered by a page that another mapping (*.txt) serves: the row stays the request's own.
                .addErrorPage(new ErrorPage("/errors/missing.txt", 404));
        DeploymentManager manager = container.addDeployment(info);
        manager.deploy();
        return manager.start();
    }

    @AfterEach
    void stop() {
        server.stop();
        stats.close();
    }

    @Test
    void runsOnTheServletApiAskedFor() {
        String other = ServletApi.javax() ? "jakarta" : "javax";
        assertThat(loadable(ServletApi.NAME + ".servlet.Servlet")).as(ServletApi.NAME + ".servlet").isTrue();
        assertThat(loadable(other + ".servlet.Servlet")).as(other + ".servlet, which must not be there").isFalse();
        // javax is Undertow 2.2's servlet API; 2.3 and 2.4 are on jakarta.
        if (ServletApi.javax()) {
            assertThat(Version.getVersionString()).startsWith("2.2.");
        } else {
            assertThat(Version.getVersionString()).doesNotStartWith("2.2.").startsWith("2.");
        }
    }

    @Test
    void eachMappingNamesItsRowBehindTheContextPathWithExactBytes() throws Exception {
        get("/app/hello.bin", 200);
        get("/app/files/a.bin", 200);
        get("/app/files/b.bin", 200);
        get("/app/deep/x.txt", 200);
        get("/app/", -1); // the context root mapping: whatever the default servlet answers for a folder
        get("/app/no/such/thing.bin", 404);
        get("/app/%3Cscript%3E%22%2C=*", 404);
        get("/files/a.bin", 200);
        get("/hello.bin", 200);
        get("/native/42", 200);

        Map<String, Long> requests = Rows.requestsByEndpoint(stats, 10);
        assertThat(requests).containsExactlyInAnyOrderEntriesOf(Map.of(
                "/app/hello.bin", 1L, "/app/files/*", 2L, "/app/*.txt", 1L, "/app/", 1L, "/app/*", 2L,
                "/files/*", 1L, "/hello.bin", 1L, "/native/{id}", 1L));
        assertThat(row("/app/hello.bin").bytesSent()).isEqualTo(1_234);
        assertThat(row("/app/files/*").bytesSent()).isEqualTo(5_000 + 7_777);
        assertThat(row("/app/*.txt").bytesSent()).isEqualTo(300);
        // The two 404s: the error page's 321 bytes each, on the default servlet's row, not on *.txt's.
        assertThat(row("/app/*").bytesSent()).isEqualTo(2 * 321);
        assertThat(row("/app/").bytesSent()).isEqualTo(received.get("/app/"));
        assertThat(row("/files/*").bytesSent()).isEqualTo(5_000);
        assertThat(row("/hello.bin").bytesSent()).isEqualTo(1_234);
        assertThat(row("/native/{id}").bytesSent()).isEqualTo("native".length());
    }

    /**
     * {@code ServletEndpoints} builds on either API (it reads Undertow's classes, no servlet type). A classifier that
     * needs {@code jakarta.servlet} (one's own, built for WildFly 39) named on a {@code javax} server is refused with
     * why, and with the library's classifiers that run there; on a {@code jakarta} server it builds.
     */
    @Test
    void aClassifierNeedingJakartaServletIsRefusedOnAJavaxServerAndServletEndpointsIsNot() {
        assertThat(built(ServletEndpoints.class.getName())).isInstanceOf(BandwidthHandler.class);
        String needsJakarta = ServletMappingsTest.class.getName() + "$JakartaOnly";
        if (ServletApi.javax()) {
            assertThatThrownBy(() -> built(needsJakarta)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("classifier: " + needsJakarta)
                    .hasMessageContaining("needs jakarta.servlet, which this server does not have")
                    .hasMessageContaining(ServletEndpoints.class.getName() + " and ServletMappings run on javax and "
                            + "jakarta servers alike");
        } else {
            assertThat(built(needsJakarta)).isInstanceOf(BandwidthHandler.class);
        }
    }

    /** The handler {@code undertow-handlers.conf} builds with the classifier named; its monitor closed at once. */
    private static HttpHandler built(String classifier) {
        HttpHandler built = PredicatedHandlersParser.parse("bandwidth(name=servlet-mappings-conf, classifier="
                        + classifier + ")", ServletMappingsTest.class.getClassLoader()).get(0).getHandler()
                .wrap(exchange -> exchange.getResponseSender().send("x"));
        if (built instanceof BandwidthHandler handler) {
            handler.stats().close();
        }
        return built;
    }

    /** A classifier of one's own that needs {@code jakarta.servlet} when it is made. */
    public static final class JakartaOnly implements io.github.httpbandwidth.EndpointClassifier {
        private final Class<?> api = jakarta.servlet.ServletContext.class;

        @Override
        public String classify(io.undertow.server.HttpServerExchange exchange) {
            return api.getSimpleName();
        }
    }

    private void get(String path, int status) throws Exception {
        HttpResponse<byte[]> response = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (status > 0) {
            assertThat(response.statusCode()).as(path).isEqualTo(status);
        }
        received.merge(path, (long) response.body().length, Long::sum);
    }

    private EndpointSnapshot row(String endpoint) {
        return stats.snapshot().endpoints().stream().filter(e -> e.endpoint().equals(endpoint)).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + endpoint));
    }

    private static boolean loadable(String className) {
        try {
            Class.forName(className, false, ServletMappingsTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
