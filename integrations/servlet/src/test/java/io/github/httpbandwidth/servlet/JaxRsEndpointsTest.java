package io.github.httpbandwidth.servlet;

import io.github.httpbandwidth.BandwidthHandler;
import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.StatusClassSnapshot;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.handlers.PathHandler;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.api.ServletInfo;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.MappingMatch;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.jboss.resteasy.plugins.server.servlet.HttpServlet30Dispatcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real RESTEasy (the version WildFly 39 ships) in an Undertow servlet deployment under {@code /shop}, mapped at
 * {@code /api/*}, with {@link JaxRsEndpoints} registered by the application: every request on its resource method's
 * whole template, through sub-resource locators and inherited annotations.
 */
class JaxRsEndpointsTest {

    private final BandwidthStats stats = BandwidthStats.builder().name("jaxrs-endpoints-test")
            .classifier(new ServletEndpoints()).build();
    private final HttpClient client = HttpClient.newHttpClient();
    private Undertow server;
    private int port;

    @BeforeEach
    void start() throws Exception {
        DeploymentInfo info = Servlets.deployment()
                .setClassLoader(JaxRsEndpointsTest.class.getClassLoader())
                .setContextPath("/shop")
                .setDeploymentName("shop.war")
                .addServlet(jaxRsServlet().addMapping("/api/*").setAsyncSupported(true));
        DeploymentManager manager = Servlets.defaultContainer().addDeployment(info);
        manager.deploy();
        PathHandler paths = Handlers.path().addPrefixPath("/shop", manager.start());
        server = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(new BandwidthHandler(stats, paths)).build();
        server.start();
        port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    /** The JAX-RS implementation's servlet, running {@link Shop}: RESTEasy's here, Jersey's in a subclass. */
    ServletInfo jaxRsServlet() {
        return Servlets.servlet("rest", HttpServlet30Dispatcher.class)
                .addInitParam("jakarta.ws.rs.Application", Shop.class.getName())
                .addInitParam("resteasy.servlet.mapping.prefix", "/api");
    }

    @AfterEach
    void stop() {
        server.stop();
        stats.close();
    }

    @Test
    void resourceMethodsAndSubResourceLocatorsNameTheirRowsByTheirWholeTemplate() throws Exception {
        send("GET", "/shop/api/orders/17", "order 17");
        send("POST", "/shop/api/orders", "created 4");
        send("GET", "/shop/api/orders/17/lines", "lines of 17");
        send("GET", "/shop/api/orders/fail/1", 500);
        send("GET", "/shop/api/orders/missing/1", 404);
        // Answered asynchronously, streamed, and an exception mapped to 409 by the application's mapper.
        send("GET", "/shop/api/orders/later/5", "later 5");
        assertThat(send("GET", "/shop/api/orders/export/1", 200).body()).hasSize(300_000);
        send("GET", "/shop/api/orders/conflict/2", 409);
        // Annotations on an interface, on a superclass's method, on the class a proxy-like subclass extends.
        send("GET", "/shop/api/stock/abc", "sku abc");
        send("GET", "/shop/api/items/9", "item 9");
        send("GET", "/shop/api/carts/c9/lines/4", "entry 4");
        // Sub-resource locators: two of one class returning the same type, one returning Object, one nested.
        send("GET", "/shop/api/users/u1/prefs/color", "u1 color");
        send("GET", "/shop/api/users/u1/prefs", "u1 all");
        send("GET", "/shop/api/users/u2/defaults/size", "default-u2 size");
        // Matrix parameters are not part of what a template matches.
        send("GET", "/shop/api/users/u3;tag=a/defaults;x=1/size", "default-u3 size");
        send("GET", "/shop/api/users/u2/prefs/history/3", "entry 3");
        send("GET", "/shop/api/users/any/dict/color", "kind-dict color");
        send("GET", "/shop/api/users/any/log/12", "entry 12");
        // Both /users/{uid}/prefs and /users/any/{kind} match this path; RESTEasy takes the first (more literal
        // characters), and so does the row.
        send("GET", "/shop/api/users/any/prefs/color", "any color");
        // No resource method matched: the servlet mapping's name.
        send("GET", "/shop/api/nothing/here", 404);
        send("PUT", "/shop/api/orders/17", 405);

        assertThat(Rows.requestsByEndpoint(stats, 21)).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                Map.entry("/shop/api/orders/{id}", 1L),
                Map.entry("/shop/api/orders", 1L),
                Map.entry("/shop/api/orders/{id: [0-9]+}/lines", 1L),
                Map.entry("/shop/api/orders/fail/{n}", 1L),
                Map.entry("/shop/api/orders/missing/{n}", 1L),
                Map.entry("/shop/api/orders/later/{n}", 1L),
                Map.entry("/shop/api/orders/export/{n}", 1L),
                Map.entry("/shop/api/orders/conflict/{n}", 1L),
                Map.entry("/shop/api/stock/{sku}", 1L),
                Map.entry("/shop/api/items/{id}", 1L),
                Map.entry("/shop/api/carts/{cid}/lines/{n: [0-9]+}", 1L),
                Map.entry("/shop/api/users/{uid}/prefs/{key}", 2L),
                Map.entry("/shop/api/users/{uid}/prefs", 1L),
                Map.entry("/shop/api/users/{uid}/defaults/{key}", 2L),
                Map.entry("/shop/api/users/{uid}/prefs/history/{n: [0-9]+}", 1L),
                Map.entry("/shop/api/users/any/{kind}/{key}", 1L),
                Map.entry("/shop/api/users/any/{kind}/{n: [0-9]+}", 1L),
                Map.entry("/shop/api/*", 2L)));
        Map<String, Long> classes = new TreeMap<>();
        for (StatusClassSnapshot row : stats.snapshot().statusClasses()) {
            if (row.requests() > 0 && !row.statusClass().equals("2xx")) {
                classes.put(row.endpoint() + " " + row.statusClass(), row.requests());
            }
        }
        assertThat(classes).containsExactlyInAnyOrderEntriesOf(Map.of("/shop/api/orders/fail/{n} 5xx", 1L,
                "/shop/api/orders/missing/{n} 4xx", 1L, "/shop/api/orders/conflict/{n} 4xx", 1L, "/shop/api/* 4xx", 2L));
        // The bytes are on the rows the answers came from.
        assertThat(stats.snapshot().endpoint("/shop/api/users/{uid}/prefs/{key}").bytesSent())
                .isEqualTo("u1 color".length() + "any color".length());
        assertThat(stats.snapshot().endpoint("/shop/api/items/{id}").bytesSent()).isEqualTo("item 9".length());
        assertThat(stats.snapshot().endpoint("/shop/api/orders").bytesReceived()).isEqualTo("body".length());
        assertThat(stats.snapshot().endpoint("/shop/api/orders/later/{n}").bytesSent()).isEqualTo("later 5".length());
        assertThat(stats.snapshot().endpoint("/shop/api/orders/export/{n}").bytesSent()).isEqualTo(300_000);
        assertThat(stats.snapshot().endpoint("/shop/api/orders/conflict/{n}").bytesSent()).isEqualTo("conflict".length());
    }

    /**
     * Telling two locators apart runs the application's templates over the request's path: a path longer than
     * {@link JaxRsEndpoints#MAX_MATCHED_PATH} is not matched (the request keeps its mapping's row), so a hostile
     * path costs no more than that, whatever the templates' regexes.
     */
    @Test
    void aHostileLongPathIsNotMatchedAgainstTheTemplates() throws Exception {
        String uid = "u".repeat(JaxRsEndpoints.MAX_MATCHED_PATH);
        send("GET", "/shop/api/users/" + uid + "/defaults/size", "default-" + uid + " size");
        send("GET", "/shop/api/users/u4/defaults/size", "default-u4 size");
        assertThat(Rows.requestsByEndpoint(stats, 2)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "/shop/api/*", 1L, "/shop/api/users/{uid}/defaults/{key}", 1L));
        assertThat(stats.snapshot().endpoint("/shop/api/*").bytesSent())
                .isEqualTo(("default-" + uid + " size").length());
    }

    @Test
    void templatesAreReadAsJaxRsReadsThem() {
        JaxRsTemplate nested = JaxRsTemplate.parse("/a/{id: [0-9]{3}}/x.y").orElseThrow();
        assertThat(nested.variables()).containsExactly("id");
        assertThat(nested.matched("/a/123/x.y", Set.of("id"))).isTrue();
        assertThat(nested.matched("/a/123/x.y/more/segments", Set.of("id"))).isTrue();
        assertThat(nested.matched("/a/1234/x.y", Set.of("id"))).isFalse();
        assertThat(nested.matched("/a/123/xzy", Set.of("id"))).as("a literal dot").isFalse();
        assertThat(nested.matched("/a/123/x.y", Set.of("other"))).as("no such path parameter").isFalse();
        JaxRsTemplate plain = JaxRsTemplate.parse("/u/{uid}/p").orElseThrow();
        assertThat(plain.matched("/u/a/b/p", Set.of("uid"))).as("{uid} is one segment").isFalse();
        assertThat(plain.matched("/u/a/p", Set.of("uid"))).isTrue();
        assertThat(JaxRsTemplate.parse("/u/{uid")).isEmpty();
        assertThat(JaxRsTemplate.parse("/u/{uid: [a-}")).isEmpty();
    }

    @Test
    void theApplicationsPathIsAddedWhereTheServletMappingDoesNotCoverIt() {
        HttpServletMapping api = mapping(MappingMatch.PATH, "/api/*");
        HttpServletMapping root = mapping(MappingMatch.DEFAULT, "/");
        // A JAX-RS servlet at /api/* (RESTEasy, Jersey's default): the mapping covers it.
        assertThat(JaxRsEndpoints.basePath("/shop/api/", "/shop", api)).isEmpty();
        assertThat(JaxRsEndpoints.basePath("/shop/api/v2/", "/shop", api)).isEqualTo("/v2");
        assertThat(JaxRsEndpoints.basePath("/shop/", "/shop", root)).isEmpty();
        // JAX-RS as a filter in front of the servlet at / (Jersey's spring.jersey.type=filter).
        assertThat(JaxRsEndpoints.basePath("/rest/", "", root)).isEqualTo("/rest");
        assertThat(JaxRsEndpoints.basePath("/shop/rest", "/shop", root)).isEqualTo("/rest");
        // What does not fit together adds nothing.
        assertThat(JaxRsEndpoints.basePath("/shopping/rest/", "/shop", root)).isEmpty();
        assertThat(JaxRsEndpoints.basePath("/other/", "/shop", root)).isEmpty();
        assertThat(JaxRsEndpoints.basePath("/shop/elsewhere/", "/shop", api)).isEmpty();
        // An application's path is the same for all its requests: one that changes is not taken.
        JaxRsEndpoints provider = new JaxRsEndpoints();
        assertThat(provider.applicationPath("/rest")).isEqualTo("/rest");
        assertThat(provider.applicationPath("/rest")).isEqualTo("/rest");
        assertThat(provider.applicationPath("/orders/7")).isEmpty();
    }

    private static HttpServletMapping mapping(MappingMatch match, String pattern) {
        return new HttpServletMapping() {
            @Override
            public String getMatchValue() {
                return "";
            }

            @Override
            public String getPattern() {
                return pattern;
            }

            @Override
            public String getServletName() {
                return "jaxrs";
            }

            @Override
            public MappingMatch getMappingMatch() {
                return match;
            }
        };
    }

    private void send(String method, String path, String body) throws Exception {
        HttpResponse<String> response = send(method, path, 200);
        assertThat(response.body()).as(method + " " + path).isEqualTo(body);
    }

    private HttpResponse<String> send(String method, String path, int status) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString("body")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(status);
        return response;
    }

    public static class Shop extends Application {
        @Override
        public Set<Class<?>> getClasses() {
            return Set.of(Orders.class, Stock.class, Items.class, Users.class, ConflictMapper.class,
                    JaxRsEndpoints.class);
        }

        @Override
        @SuppressWarnings("deprecation") // still how an application hands JAX-RS an instance it made
        public Set<Object> getSingletons() {
            return Set.of(new CartsProxy());
        }
    }

    @Path("/orders")
    public static class Orders {
        @GET
        @Path("{id}")
        public String one(@PathParam("id") String id) {
            return "order " + id;
        }

        @POST
        public String create(String body) {
            return "created " + body.length();
        }

        @GET
        @Path("{id: [0-9]+}/lines")
        public String lines(@PathParam("id") String id) {
            return "lines of " + id;
        }

        @GET
        @Path("fail/{n}")
        public String fail() {
            throw new IllegalStateException("a resource method that fails");
        }

        @GET
        @Path("missing/{n}")
        public String missing() {
            throw new NotFoundException();
        }

        /** Answered later, from another thread (the servlet request goes async). */
        @GET
        @Path("later/{n}")
        public void later(@PathParam("n") String n, @Suspended AsyncResponse response) {
            CompletableFuture.runAsync(() -> response.resume("later " + n));
        }

        /** 300,000 B written by the application as it goes. */
        @GET
        @Path("export/{n}")
        public StreamingOutput export() {
            return out -> {
                byte[] chunk = new byte[30_000];
                for (int i = 0; i < 10; i++) {
                    out.write(chunk);
                    out.flush();
                }
            };
        }

        /** An application exception its own mapper turns into a 409. */
        @GET
        @Path("conflict/{n}")
        public String conflict() {
            throw new OrderConflict();
        }
    }

    static final class OrderConflict extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    @Provider
    public static class ConflictMapper implements ExceptionMapper<OrderConflict> {
        @Override
        public Response toResponse(OrderConflict e) {
            return Response.status(409).entity("conflict").build();
        }
    }

    @Path("/stock")
    public interface StockApi {
        @GET
        @Path("{sku}")
        String sku(@PathParam("sku") String sku);
    }

    public static class Stock implements StockApi {
        @Override
        public String sku(String sku) {
            return "sku " + sku;
        }
    }

    public abstract static class Base {
        @GET
        @Path("{id}")
        public abstract String item(@PathParam("id") String id);
    }

    @Path("/items")
    public static class Items extends Base {
        @Override
        public String item(String id) {
            return "item " + id;
        }
    }

    @Path("/carts")
    public static class Carts {
        @Path("{cid}/lines")
        public History lines(@PathParam("cid") String cid) {
            return new History();
        }
    }

    /** What a container's proxy looks like: a subclass that overrides without JAX-RS annotations. */
    public static class CartsProxy extends Carts {
        @Override
        public History lines(String cid) {
            return super.lines(cid);
        }
    }

    @Path("/users")
    public static class Users {
        @Path("{uid}/prefs")
        public Prefs prefs(@PathParam("uid") String uid) {
            return new Prefs(uid);
        }

        @Path("{uid}/defaults")
        public Prefs defaults(@PathParam("uid") String uid) {
            return new Prefs("default-" + uid);
        }

        @Path("any/{kind}")
        public Object any(@PathParam("kind") String kind) {
            return kind.equals("log") ? new History() : new Prefs("kind-" + kind);
        }
    }

    public static class Prefs {
        private final String uid;

        Prefs(String uid) {
            this.uid = uid;
        }

        @GET
        @Path("{key}")
        public String get(@PathParam("key") String key) {
            return uid + " " + key;
        }

        @GET
        public String all() {
            return uid + " all";
        }

        @Path("history")
        public History history() {
            return new History();
        }
    }

    public static class History {
        @GET
        @Path("{n: [0-9]+}")
        public String entry(@PathParam("n") String n) {
            return "entry " + n;
        }
    }
}
