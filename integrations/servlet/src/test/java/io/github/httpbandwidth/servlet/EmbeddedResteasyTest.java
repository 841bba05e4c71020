package io.github.httpbandwidth.servlet;

import io.github.httpbandwidth.BandwidthHandler;
import io.github.httpbandwidth.BandwidthSnapshot;
import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.StatusClassSnapshot;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.servlet.api.DeploymentInfo;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Application;
import org.jboss.resteasy.plugins.server.undertow.UndertowJaxrsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RESTEasy's own embedded server ({@code UndertowJaxrsServer} from {@code resteasy-undertow}, the version WildFly 39
 * ships) as a service that embeds it runs it: the handler put on the deployment's initial handler chain, or around
 * the server's root, with {@link ServletEndpoints} and {@link JaxRsEndpoints} naming each request by its resource
 * method's template. The server builds its own root handler ({@code Undertow.Builder.setHandler}), so the handler goes
 * on the deployment or on the listener; started through {@code SeBootstrap}, on the deployment by a
 * {@code ServletExtension}. The guide shows all three.
 */
class EmbeddedResteasyTest {

    private static final int UPLOAD = 12_345;
    private static final int CHUNKED_UPLOAD = 70_001;

    private final BandwidthStats stats = BandwidthStats.builder().name("embedded-resteasy-test")
            .classifier(new ServletEndpoints()).build();
    private final HttpClient client = HttpClient.newHttpClient();
    private Server server;
    private int port;
    /** The body bytes of the answers the client had, by the row each is expected on. */
    private final Map<String, Long> answered = new TreeMap<>();

    /** The embedded server, with what a test needs of it: the root handler it builds and the port it got. */
    static final class Server extends UndertowJaxrsServer {
        HttpHandler root() {
            return root;
        }

        int port() {
            return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        }
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
        stats.close();
    }

    /** On the deployment's initial handler chain: the deployment's requests count, others the server answers do not. */
    @Test
    void onTheDeploymentsInitialHandlerChainEachRequestIsOnItsResourceMethodsRow() throws Exception {
        server = new Server();
        DeploymentInfo info = server.undertowDeployment(Api.class).setContextPath("/svc").setDeploymentName("svc");
        info.addInitialHandlerChainWrapper(BandwidthHandler.wrapper(stats));
        server.deploy(info);
        server.start(Undertow.builder().addHttpListener(0, "127.0.0.1"));
        port = server.port();

        traffic();

        assertThat(Rows.requestsByEndpoint(stats, 5)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "/svc/api/jobs/{id}", 2L, "/svc/api/jobs/{id}/artifacts", 2L, "/svc/api/*", 1L));
        assertExactBytes(5, false);
    }

    /** Around the server's root (the listener's own root handler): a path outside every deployment counts too. */
    @Test
    void aroundTheServersRootAPathOutsideTheDeploymentCountsOnUnmatched() throws Exception {
        server = new Server();
        server.deploy(server.undertowDeployment(Api.class).setContextPath("/svc").setDeploymentName("svc"));
        server.start(Undertow.builder().addHttpListener(0, "127.0.0.1", new BandwidthHandler(stats, server.root())));
        port = server.port();

        traffic();

        assertThat(Rows.requestsByEndpoint(stats, 6)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "/svc/api/jobs/{id}", 2L, "/svc/api/jobs/{id}/artifacts", 2L, "/svc/api/*", 1L, "(unmatched)", 1L));
        assertExactBytes(6, true);
    }

    /**
     * Started through the Jakarta REST {@code SeBootstrap} API, which RESTEasy serves with the same server and which
     * gives no access to Undertow: an Undertow {@code ServletExtension}, found by Undertow in
     * {@code META-INF/services/io.undertow.servlet.ServletExtension}, puts the handler on the deployment RESTEasy makes.
     */
    @Test
    void startedThroughSeBootstrapAServletExtensionPutsTheHandlerOnTheDeployment() throws Exception {
        Extension.stats = stats;
        jakarta.ws.rs.SeBootstrap.Instance instance;
        try {
            instance = jakarta.ws.rs.SeBootstrap.start(new Api(), jakarta.ws.rs.SeBootstrap.Configuration.builder()
                    .host("127.0.0.1").port(jakarta.ws.rs.SeBootstrap.Configuration.FREE_PORT).rootPath("/svc").build())
                    .toCompletableFuture().get();
        } finally {
            Extension.stats = null;
        }
        port = instance.configuration().port();
        try {
            traffic();
        } finally {
            instance.stop().toCompletableFuture().get();
        }

        assertThat(Rows.requestsByEndpoint(stats, 5)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "/svc/api/jobs/{id}", 2L, "/svc/api/jobs/{id}/artifacts", 2L, "/svc/api/*", 1L));
        assertExactBytes(5, false);
    }

    /**
     * An Undertow servlet extension, as an application would write one, listed in this module's test resources; it
     * puts the handler on a deployment only while a test of this class has set {@link #stats}, so the other tests'
     * deployments are left as they are.
     */
    public static final class Extension implements io.undertow.servlet.ServletExtension {
        static volatile BandwidthStats stats;

        @Override
        public void handleDeployment(DeploymentInfo info, jakarta.servlet.ServletContext context) {
            BandwidthStats current = stats;
            if (current != null) {
                info.addInitialHandlerChainWrapper(BandwidthHandler.wrapper(current));
            }
        }

        /**
         * The interface's method on a {@code javax} Undertow (2.2), where the tests that run with {@code -Pjavax}
         * deploy through this extension too (it is on their class path): their deployments are left as they are.
         */
        public void handleDeployment(DeploymentInfo info, javax.servlet.ServletContext context) {
        }
    }

    /** Two GETs (one a 404 of the resource), a fixed-length and a chunked upload, an unmatched path, one outside. */
    private void traffic() throws Exception {
        assertThat(send("GET", "/svc/api/jobs/7", null, "/svc/api/jobs/{id}").body()).isEqualTo("job 7");
        assertThat(send("POST", "/svc/api/jobs/7/artifacts", HttpRequest.BodyPublishers.ofByteArray(new byte[UPLOAD]),
                "/svc/api/jobs/{id}/artifacts").body()).isEqualTo("stored " + UPLOAD);
        // A publisher of unknown length: the JDK client sends the body chunked.
        assertThat(send("POST", "/svc/api/jobs/8/artifacts", HttpRequest.BodyPublishers.ofInputStream(
                () -> new ByteArrayInputStream(new byte[CHUNKED_UPLOAD])), "/svc/api/jobs/{id}/artifacts").body())
                .isEqualTo("stored " + CHUNKED_UPLOAD);
        assertThat(send("GET", "/svc/api/jobs/missing", null, "/svc/api/jobs/{id}").statusCode()).isEqualTo(404);
        assertThat(send("GET", "/svc/api/nothing/here", null, "/svc/api/*").statusCode()).isEqualTo(404);
        assertThat(send("GET", "/elsewhere", null, "(unmatched)").statusCode()).isEqualTo(404);
    }

    /** Sends a request whose answer's body is expected on {@code row}. */
    private HttpResponse<String> send(String method, String path, HttpRequest.BodyPublisher body, String row)
            throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body)
                // Uploads wait for 100 Continue, which the deployment's own handler, outside this one, sends.
                .expectContinue(body != null).build(),
                HttpResponse.BodyHandlers.ofString());
        answered.merge(row, (long) response.body().length(), Long::sum);
        return response;
    }

    /** Each row's bytes as the client saw them; {@code (unmatched)} only when {@code outsideCounts}. */
    private void assertExactBytes(long requests, boolean outsideCounts) {
        BandwidthSnapshot snapshot = stats.snapshot();
        assertThat(snapshot.requests()).isEqualTo(requests);
        assertThat(snapshot.bytesReceived()).isEqualTo(UPLOAD + CHUNKED_UPLOAD);
        assertThat(snapshot.endpoint("/svc/api/jobs/{id}/artifacts").bytesReceived()).isEqualTo(UPLOAD + CHUNKED_UPLOAD);
        long sent = 0;
        for (Map.Entry<String, Long> row : answered.entrySet()) {
            if (outsideCounts || !row.getKey().equals("(unmatched)")) {
                assertThat(snapshot.endpoint(row.getKey()).bytesSent()).as(row.getKey()).isEqualTo(row.getValue());
                sent += row.getValue();
            }
        }
        assertThat(snapshot.bytesSent()).isEqualTo(sent);
        Map<String, Long> notOk = new TreeMap<>();
        for (StatusClassSnapshot row : snapshot.statusClasses()) {
            if (row.requests() > 0 && !row.statusClass().equals("2xx")) {
                notOk.put(row.endpoint() + " " + row.statusClass(), row.requests());
            }
        }
        Map<String, Long> expected = new TreeMap<>(Map.of("/svc/api/jobs/{id} 4xx", 1L, "/svc/api/* 4xx", 1L));
        if (outsideCounts) {
            expected.put("(unmatched) 4xx", 1L);
        }
        assertThat(notOk).containsExactlyInAnyOrderEntriesOf(expected);
    }

    @ApplicationPath("/api")
    public static class Api extends Application {
        @Override
        public Set<Class<?>> getClasses() {
            return Set.of(Jobs.class, JaxRsEndpoints.class);
        }
    }

    @Path("/jobs")
    public static class Jobs {
        @GET
        @Path("{id}")
        public String one(@PathParam("id") String id) {
            if (id.equals("missing")) {
                throw new NotFoundException();
            }
            return "job " + id;
        }

        @POST
        @Path("{id}/artifacts")
        public String upload(@PathParam("id") String id, byte[] body) {
            return "stored " + body.length;
        }
    }
}
