package io.github.httpbandwidth.servlet;

import io.github.httpbandwidth.BandwidthHandler;
import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.EndpointSnapshot;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.RoutingHandler;
import io.undertow.server.handlers.PathHandler;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.api.FilterInfo;
import io.undertow.servlet.api.ServletContainer;
import io.undertow.servlet.api.ServletInfo;
import io.github.httpbandwidth.StatusClassSnapshot;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real Undertow servlet deployment under /shop, and one under the root context, behind one monitor. Its javax twin
 * ({@code JavaxServletEndpointsTest}, made at build time: see the pom) runs the same on Undertow 2.2 with
 * {@code -Pjavax}.
 */
class ServletEndpointsTest {

    private final BandwidthStats stats = BandwidthStats.builder().name("servlet-endpoints-test")
            .classifier(new ServletEndpoints()).build();
    private final HttpClient client = HttpClient.newHttpClient();
    private Undertow server;
    private int port;

    @BeforeEach
    void start() throws Exception {
        ServletContainer container = Servlets.newContainer();
        PathHandler paths = Handlers.path();
        paths.addPrefixPath("/shop", deploy(container, "/shop"));
        paths.addPrefixPath("/", deploy(container, ""));
        RoutingHandler routes = Handlers.routing().get("/{id}", exchange -> exchange.getResponseSender().send("native"));
        paths.addPrefixPath("/native", routes);
        server = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(new BandwidthHandler(stats, paths)).build();
        server.start();
        port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    private static HttpHandler deploy(ServletContainer container, String contextPath) throws Exception {
        DeploymentInfo info = Servlets.deployment()
                .setClassLoader(ServletEndpointsTest.class.getClassLoader())
                .setContextPath(contextPath)
                .setDeploymentName("app" + contextPath.replace('/', '-') + ".war")
                .addServlets(
                        servlet("exact", Echo.class).addMapping("/hello"),
                        servlet("files", Echo.class).addMapping("/files/*"),
                        servlet("pages", Echo.class).addMapping("*.page"),
                        servlet("root", Echo.class).addMapping(""),
                        servlet("api", FrameworkLike.class).addMapping("/api/*"),
                        servlet("forward", Forwarding.class).addMapping("/forward/*"),
                        servlet("async", AsyncDispatching.class).addMapping("/async").setAsyncSupported(true),
                        servlet("boom", Failing.class).addMapping("/boom/*"),
                        servlet("error", ErrorPage.class).addMapping("/error"))
                // As Spring Boot does: every error goes to /error, whose handler sets its own pattern.
                .addErrorPage(new io.undertow.servlet.api.ErrorPage("/error"));
        if (!contextPath.isEmpty()) {
            // The template capture, as the Spring Boot starter registers it; the root context goes without.
            info.addFilter(filter("bandwidth-template", TemplateCapture.class).setAsyncSupported(true));
            mapFilter(info, "bandwidth-template", "/*", DispatcherType.REQUEST);
            mapFilter(info, "bandwidth-template", "/*", DispatcherType.ASYNC);
        }
        DeploymentManager manager = container.addDeployment(info);
        manager.deploy();
        return manager.start();
    }

    /*
     * Undertow's servlet and filter registrations, through their erased signatures: this class's javax twin (see the
     * pom) is compiled against the build's jakarta Undertow and runs on a javax one.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ServletInfo servlet(String name, Class<? extends HttpServlet> type) {
        return Servlets.servlet(name, (Class) type);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static FilterInfo filter(String name, Class<? extends Filter> type) {
        return Servlets.filter(name, (Class) type);
    }

    private static void mapFilter(DeploymentInfo info, String filter, String path, DispatcherType type)
            throws ReflectiveOperationException {
        DeploymentInfo.class.getMethod("addFilterUrlMapping", String.class, String.class, DispatcherType.class)
                .invoke(info, filter, path, type);
    }

    @AfterEach
    void stop() {
        server.stop();
        stats.close();
    }

    @Test
    void servletMappingsNameTheRowsBehindTheContextPathNeverTheRawPath() throws Exception {
        get("/shop/hello");
        get("/shop/files/a/b/c.txt");
        get("/shop/files/other.txt");
        get("/shop/deep/x.page");
        get("/shop/");
        get("/shop/no/such/thing");
        get("/hello");
        get("/native/42");

        Map<String, Long> requests = requestsByEndpoint(8);
        assertThat(requests).containsExactlyInAnyOrderEntriesOf(Map.of(
                "/shop/hello", 1L, "/shop/files/*", 2L, "/shop/*.page", 1L, "/shop/", 1L,
                "/shop/*", 1L, "/hello", 1L, "/native/{id}", 1L));
        // Bytes land on the row exactly: Echo answers with its request URI.
        assertThat(row("/shop/files/*").bytesSent()).isEqualTo("/shop/files/a/b/c.txt".length() + "/shop/files/other.txt".length());
    }

    @Test
    void aFrameworkTemplateIsPreferredAndFollowsTheMapping() throws Exception {
        // FrameworkLike, mapped at /api/*, says which template matched, as JaxRsEndpoints and Spring MVC do.
        get("/shop/api/orders/17?template=/orders/%7Bid%7D");
        get("/shop/api/orders/18?template=orders/%7Bid%7D");
        get("/shop/api/stock?spring=/stock");
        get("/api/orders/19?template=/orders/%7Bid%7D");
        get("/shop/api/unknown");

        assertThat(requestsByEndpoint(5)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "/shop/api/orders/{id}", 2L, "/shop/api/stock", 1L, "/api/orders/{id}", 1L, "/shop/api/*", 1L));
    }

    @Test
    void aForwardAnAsyncDispatchOrAnErrorPageDoesNotRenameTheExchange() throws Exception {
        // The row is what took the client's request, whoever rendered the answer.
        send("/shop/forward/x", 200);
        send("/shop/async", 200);
        // A framework's handler matched (its pattern kept by the capture filter), then failed: an exception, and an
        // error status; the error page's handler sets a pattern of its own, as Spring Boot's does.
        send("/shop/boom/1", 500);
        send("/shop/boom/2?status=409", 409);
        // Without the capture filter (the root context) the error page's pattern is still not taken: the mapping.
        send("/boom/3", 500);
        // A 404 of the default servlet goes through the error page too.
        send("/shop/no/such/page", 404);

        assertThat(requestsByEndpoint(6)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "/shop/forward/*", 1L, "/shop/async", 1L, "/shop/boom/{id}", 2L, "/boom/*", 1L, "/shop/*", 1L));
        Map<String, Long> classes = new TreeMap<>();
        for (StatusClassSnapshot row : stats.snapshot().statusClasses()) {
            if (row.requests() > 0) {
                classes.put(row.endpoint() + " " + row.statusClass(), row.requests());
            }
        }
        assertThat(classes).containsExactlyInAnyOrderEntriesOf(Map.of("/shop/forward/* 2xx", 1L,
                "/shop/async 2xx", 1L, "/shop/boom/{id} 5xx", 1L, "/shop/boom/{id} 4xx", 1L, "/boom/* 5xx", 1L,
                "/shop/* 4xx", 1L));
        // The answer the target rendered (its own URI, as a forward shows the target's path) is on the request's row.
        assertThat(row("/shop/forward/*").bytesSent()).isEqualTo("/shop/hello".length());
    }

    @Test
    void jaxRsPathsJoinWithOneSlash() {
        assertThat(JaxRsEndpoints.join("/orders", "{id}")).isEqualTo("/orders/{id}");
        assertThat(JaxRsEndpoints.join("orders/", "/{id}/")).isEqualTo("/orders/{id}");
        assertThat(JaxRsEndpoints.join("/", "stock")).isEqualTo("/stock");
        assertThat(JaxRsEndpoints.join("/orders", null)).isEqualTo("/orders");
        assertThat(JaxRsEndpoints.join("", "")).isEqualTo("/");
    }

    private void get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path).isIn(200, 404);
    }

    private void send(String path, int status) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(status);
    }

    private Map<String, Long> requestsByEndpoint(long requests) {
        return Rows.requestsByEndpoint(stats, requests);
    }

    private EndpointSnapshot row(String endpoint) {
        return stats.snapshot().endpoint(endpoint);
    }

    /** Answers with the request URI; a 404 for the default servlet's paths, as a real one does for no file. */
    public static final class Echo extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.getWriter().write(request.getRequestURI());
        }
    }

    /** A framework in miniature: records the template it "matched" where JAX-RS and Spring MVC adapters do. */
    public static final class FrameworkLike extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            if (request.getParameter("template") != null) {
                request.setAttribute(ServletEndpoints.TEMPLATE_ATTRIBUTE, request.getParameter("template"));
            }
            if (request.getParameter("spring") != null) {
                request.setAttribute(ServletEndpoints.SPRING_BEST_MATCHING_PATTERN, request.getParameter("spring"));
            }
            response.getWriter().write("ok");
        }
    }

    /** Forwards to /hello, which answers with the request URI. */
    public static final class Forwarding extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response)
                throws IOException, ServletException {
            request.getRequestDispatcher("/hello").forward(request, response);
        }
    }

    /** Dispatches asynchronously to /hello. */
    public static final class AsyncDispatching extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) {
            request.startAsync().dispatch("/hello");
        }
    }

    /** A framework handler that matched {@code /boom/{id}} (Spring MVC's way) and then fails. */
    public static final class Failing extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            request.setAttribute(ServletEndpoints.SPRING_BEST_MATCHING_PATTERN, "/{id}");
            if (request.getParameter("status") != null) {
                response.sendError(Integer.parseInt(request.getParameter("status")));
                return;
            }
            throw new IllegalStateException("failing on purpose");
        }
    }

    /** The error page, as Spring Boot's error controller: a handler with a pattern of its own. */
    public static final class ErrorPage extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            request.setAttribute(ServletEndpoints.SPRING_BEST_MATCHING_PATTERN, "/error");
            response.getWriter().write("error " + request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE));
        }
    }
}
