package io.github.httpbandwidth;

import io.undertow.server.HttpHandler;
import io.undertow.util.AttachmentKey;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.lang.reflect.Method;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redeploying, as an application server does: ten "deployments", each loading the library in a class loader of its
 * own, count traffic on one long-lived Undertow whose IO and worker threads outlive them all, and are then closed
 * and dropped. None of their class loaders may stay reachable.
 */
class ClassLoaderLeakTest {

    private static final String LIBRARY = LibraryCopies.LIBRARY;
    private static final int DEPLOYMENTS = 10;

    private volatile HttpHandler current = ex -> ex.setStatusCode(404);

    @Test
    void undeployedLibrariesAreReleased() throws Exception {
        List<WeakReference<ClassLoader>> loaders = new ArrayList<>();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (TestServer server = TestServer.start(ex -> current.handleRequest(ex))) {
            for (int d = 0; d < DEPLOYMENTS; d++) {
                loaders.add(new WeakReference<>(deployServeAndUndeploy(d, server, client)));
            }
            assertCollected(loaders, "class loaders of undeployed libraries still reachable");
        }
    }

    /**
     * The other way round, as WildFly's server-wide filter runs: one handler for the server's life, in front of
     * applications that are deployed and undeployed. An exchange references its application (a servlet request's
     * context references its deployment, and so its class loader); the handler may remember nothing that keeps an
     * exchange, or the connection it came on, past the exchange. After the last application goes and no request
     * follows, no application may stay reachable.
     */
    @Test
    void aLongLivedHandlerKeepsNoApplicationItCounted() throws Exception {
        assertNoApplicationKept(false);
    }

    /** The same over HTTP/2, where Undertow makes a connection object per stream that keeps the stream's exchange. */
    @Test
    void aLongLivedHandlerKeepsNoApplicationItCountedOverHttp2() throws Exception {
        assertNoApplicationKept(true);
    }

    private void assertNoApplicationKept(boolean http2) throws Exception {
        List<WeakReference<Object>> applications = new ArrayList<>();
        HttpHandler root = ex -> current.handleRequest(ex);
        try (BandwidthStats stats = BandwidthStats.builder().name("long-lived").build();
             TestServer server = http2 ? TestServer.startHttp2(new BandwidthHandler(stats, root))
                     : TestServer.start(new BandwidthHandler(stats, root))) {
            for (int d = 0; d < 3; d++) {
                applications.add(http2 ? deployServeAndUndeployApplicationOverHttp2(server)
                        : deployServeAndUndeployApplication(server));
                Await.completed(stats, 20L * (d + 1));
            }
            assertCollected(applications, "undeployed applications still reachable");
        }
    }

    /** GCs until every referent is collected, for up to 60 s; then none may be left. */
    private static void assertCollected(List<? extends WeakReference<?>> refs, String what) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (refs.stream().anyMatch(r -> r.get() != null) && System.nanoTime() < deadline) {
            System.gc();
            LockSupport.parkNanos(100_000_000);
        }
        assertThat(refs.stream().filter(r -> r.get() != null).count()).as(what).isZero();
    }

    private static final AttachmentKey<Object> APPLICATION = AttachmentKey.create(Object.class);

    /** Serves 20 requests, each on a connection of its own, from an application that each exchange references. */
    private WeakReference<Object> deployServeAndUndeployApplication(TestServer server) throws Exception {
        Object application = new Object();
        current = ex -> {
            ex.putAttachment(APPLICATION, application);
            ex.getResponseSender().send("ok");
        };
        for (int i = 0; i < 20; i++) {
            try (RawHttp http = new RawHttp(server.port())) {
                http.send("GET /app HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", null);
                assertThat(http.readResponse(false).body()).hasSize(2);
            }
        }
        current = ex -> ex.setStatusCode(404);
        return new WeakReference<>(application);
    }

    /** Serves 20 requests over one HTTP/2 connection (h2c), which stays open, from an application as above. */
    private WeakReference<Object> deployServeAndUndeployApplicationOverHttp2(TestServer server) throws Exception {
        Object application = new Object();
        current = ex -> {
            ex.putAttachment(APPLICATION, application);
            ex.getResponseSender().send("ok");
        };
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(server.uri("/app")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).isEqualTo("ok");
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        }
        current = ex -> ex.setStatusCode(404);
        return new WeakReference<>(application);
    }

    /** Returns the deployment's class loader, after the deployment served traffic and was closed. */
    private ClassLoader deployServeAndUndeploy(int d, TestServer server, HttpClient client) throws Exception {
        URLClassLoader loader = LibraryCopies.load("deployment-" + d);
        Class<?> statsClass = loader.loadClass(LIBRARY + "BandwidthStats");
        assertThat(statsClass.getClassLoader()).isSameAs(loader);
        Object builder = statsClass.getMethod("builder").invoke(null);
        Method name = builder.getClass().getMethod("name", String.class);
        name.setAccessible(true);
        name.invoke(builder, "leak-" + d);
        Method build = builder.getClass().getMethod("build");
        build.setAccessible(true);
        AutoCloseable stats = (AutoCloseable) build.invoke(builder);
        statsClass.getMethod("registerMBean", javax.management.MBeanServer.class)
                .invoke(stats, ManagementFactory.getPlatformMBeanServer());
        HttpHandler app = ex -> ex.getResponseSender().send(ByteBuffer.wrap(BodyCountingTest.filled(1000)));
        current = (HttpHandler) loader.loadClass(LIBRARY + "BandwidthHandler")
                .getConstructor(statsClass, HttpHandler.class).newInstance(stats, app);

        // New connections each time, so that both IO threads count for every deployment.
        for (int i = 0; i < 20; i++) {
            HttpResponse<byte[]> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                    .send(HttpRequest.newBuilder(server.uri("/x")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.body()).hasSize(1000);
            client.send(HttpRequest.newBuilder(server.uri("/y")).POST(HttpRequest.BodyPublishers.ofByteArray(new byte[500]))
                    .build(), HttpResponse.BodyHandlers.discarding());
        }
        Await.until("deployment " + d + " to count its 40 requests", () -> requests(statsClass, stats) == 40);

        current = ex -> ex.setStatusCode(404);
        stats.close();
        loader.close();
        return loader;
    }

    private static long requests(Class<?> statsClass, Object stats) {
        try {
            Object snapshot = statsClass.getMethod("snapshot").invoke(stats);
            return (long) snapshot.getClass().getMethod("requests").invoke(snapshot);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
