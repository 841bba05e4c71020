package io.github.httpbandwidth;

import io.undertow.Handlers;
import io.undertow.server.handlers.builder.PredicatedHandler;
import io.undertow.server.handlers.builder.PredicatedHandlersParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import java.lang.management.ManagementFactory;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** undertow-handlers.conf: Undertow's own parser finds the builder through META-INF/services. */
class HandlerBuilderTest {

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    @AfterEach
    void unregister() throws Exception {
        for (ObjectName name : server.queryNames(new ObjectName("io.github.httpbandwidth:type=BandwidthStats,name=conf-*"), null)) {
            server.unregisterMBean(name);
        }
    }

    @Test
    void predicateConfigurationSwitchesTheMonitorOnWithItsOptions() throws Exception {
        List<PredicatedHandler> config = PredicatedHandlersParser.parse(
                "path-prefix('/upload') -> bandwidth(name=conf-uploads, endpoint-cap=5)\n"
                        + "bandwidth(conf-all)\n", getClass().getClassLoader());
        ObjectName uploads = new ObjectName("io.github.httpbandwidth:type=BandwidthStats,name=conf-uploads");
        ObjectName all = new ObjectName("io.github.httpbandwidth:type=BandwidthStats,name=conf-all");

        try (TestServer http = TestServer.start(Handlers.predicates(config, TestRoutes.basic()))) {
            HttpClient client = HttpClient.newHttpClient();
            client.send(HttpRequest.newBuilder(http.uri("/small")).build(), HttpResponse.BodyHandlers.discarding());
            client.send(HttpRequest.newBuilder(http.uri("/upload"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[4321])).build(),
                    HttpResponse.BodyHandlers.discarding());
            Await.until("both monitors to see their requests", () -> requests(all) == 2 && requests(uploads) == 1);
        }

        assertThat(server.getAttribute(uploads, "EndpointCap")).isEqualTo(5);
        assertThat(server.getAttribute(uploads, "BytesReceived")).isEqualTo(4321L);
        assertThat(server.getAttribute(all, "EndpointCap")).isEqualTo(BandwidthStats.DEFAULT_ENDPOINT_CAP);
        assertThat(server.getAttribute(all, "BytesReceived")).isEqualTo(4321L);
        assertThat(server.getAttribute(all, "BytesSent")).isEqualTo(TestRoutes.SMALL_SIZE + (long) "n=4321".length());
    }

    @Test
    void anExchangeRestartedThroughTheChainIsCountedOncePerMonitor() throws Exception {
        // conf-outer wraps the whole chain, conf-restart is inside it and sees the exchange twice.
        List<PredicatedHandler> config = PredicatedHandlersParser.parse(
                "bandwidth(conf-restart)\n"
                        + "path('/old') -> { rewrite('/small'); restart }\n", getClass().getClassLoader());
        ObjectName restarted = new ObjectName("io.github.httpbandwidth:type=BandwidthStats,name=conf-restart");
        BandwidthStats outer = BandwidthStats.builder().name("conf-outer").build();
        try (TestServer http = TestServer.start(new BandwidthHandler(outer, Handlers.predicates(config, TestRoutes.basic())))) {
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(http.uri("/old")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.body()).hasSize(TestRoutes.SMALL_SIZE);
            Await.until("the restarted request to complete", () -> requests(restarted) >= 1
                    && outer.snapshot().requests() >= 1);
            // A second request proves nothing else is still on its way for the first.
            client.send(HttpRequest.newBuilder(http.uri("/small")).build(), HttpResponse.BodyHandlers.discarding());
            Await.until("the second request", () -> requests(restarted) >= 2 && outer.snapshot().requests() >= 2);
        }

        assertThat(requests(restarted)).isEqualTo(2);
        assertThat(server.getAttribute(restarted, "BytesSent")).isEqualTo(2L * TestRoutes.SMALL_SIZE);
        assertThat(server.getAttribute(restarted, "RequestsInFlight")).isEqualTo(0L);
        BandwidthSnapshot o = outer.snapshot();
        assertThat(o.requests()).isEqualTo(2);
        assertThat(o.bytesSent()).isEqualTo(2L * TestRoutes.SMALL_SIZE);
        assertThat(o.requestsInFlight()).isZero();
    }

    @Test
    void parsingTheSameConfigurationAgainTakesOverTheNameAsARedeployDoes() throws Exception {
        ObjectName redeployed = new ObjectName("io.github.httpbandwidth:type=BandwidthStats,name=conf-redeploy");
        for (int deployment = 1; deployment <= 3; deployment++) {
            List<PredicatedHandler> config = PredicatedHandlersParser.parse("bandwidth(conf-redeploy)\n",
                    getClass().getClassLoader());
            try (TestServer http = TestServer.start(Handlers.predicates(config, TestRoutes.basic()))) {
                HttpClient.newHttpClient().send(HttpRequest.newBuilder(http.uri("/small")).build(),
                        HttpResponse.BodyHandlers.discarding());
                // Each deployment's MBean is a new one: it counts its own request only.
                Await.until("deployment's request", () -> requests(redeployed) == 1);
            }
        }
        assertThat(server.queryNames(new ObjectName("io.github.httpbandwidth:type=BandwidthStats,name=conf-redeploy*"), null))
                .hasSize(1);
    }

    /**
     * Two applications on one server, each carrying its own copy of the library (WildFly names each deployment's class
     * loader after it), both calling their monitor conf-clash: the second may not take the name over, which left the
     * first one counting with no MBean (its traffic gone from every reader, silently); its parse fails saying why.
     */
    @Test
    void anotherApplicationsMonitorOfTheSameNameIsNotTakenOver() throws Exception {
        ObjectName clash = new ObjectName("io.github.httpbandwidth:type=BandwidthStats,name=conf-clash");
        try (URLClassLoader shop = LibraryCopies.load("deployment.shop.war");
             URLClassLoader other = LibraryCopies.load("deployment.other.war")) {
            PredicatedHandlersParser.parse("bandwidth(conf-clash)\n", shop);
            assertThat(server.getClassLoaderFor(clash)).isSameAs(shop);

            assertThatThrownBy(() -> PredicatedHandlersParser.parse("bandwidth(conf-clash)\n", other))
                    .hasStackTraceContaining("name: \"conf-clash\" is taken by the monitor of deployment.shop.war")
                    .hasStackTraceContaining("give each its own name");
            assertThat(server.getClassLoaderFor(clash)).as("the first application's monitor").isSameAs(shop);
            assertThat(samplesScheduled(other)).as("rate samples the refused copy left scheduled").isZero();
        }
    }

    /** Tasks waiting in the rate sampler's executor of one copy of the library. */
    private static int samplesScheduled(ClassLoader copy) throws Exception {
        java.lang.reflect.Field executor = copy.loadClass(LibraryCopies.LIBRARY + "RateSampler")
                .getDeclaredField("EXECUTOR");
        executor.setAccessible(true);
        return ((java.util.concurrent.ThreadPoolExecutor) executor.get(null)).getQueue().size();
    }

    /**
     * The same application deployed again (a class loader of the same name, a new copy of the library, while the
     * previous copy's MBean is still there: a WAR without the servlet integration's clean-up) takes the name over, as
     * copies in unnamed class loaders do (an embedded server's, where nothing tells deployments apart).
     */
    @Test
    void theSameApplicationDeployedAgainTakesTheNameOverFromItsPreviousCopy() throws Exception {
        ObjectName name = new ObjectName("io.github.httpbandwidth:type=BandwidthStats,name=conf-again");
        for (String deployment : new String[] {"deployment.shop.war", null}) {
            try (URLClassLoader previous = LibraryCopies.load(deployment);
                 URLClassLoader next = LibraryCopies.load(deployment)) {
                PredicatedHandlersParser.parse("bandwidth(conf-again)\n", previous);
                assertThat(server.getClassLoaderFor(name)).isSameAs(previous);
                PredicatedHandlersParser.parse("bandwidth(conf-again)\n", next);
                assertThat(server.getClassLoaderFor(name)).as("class loaders named " + deployment).isSameAs(next);
                server.unregisterMBean(name);
            }
        }
    }

    /**
     * The next deployment of the same application, after the previous one's MBean went at undeploy (as the servlet
     * integration's clean-up unregisters it): its handler's MBean and console views come at once, its rows-domain
     * MBeans (what OpenTelemetry reads) only after the row hold since that close, which a record made of JDK classes
     * carries from one class loader to the next (the wait itself, with a ticker: {@code RowsAfterACloseTest}).
     */
    @Test
    void theNextDeploymentsReaderRowsWaitForTheHoldSinceThePreviousOnesClose() throws Exception {
        ObjectName name = new ObjectName("io.github.httpbandwidth:type=BandwidthStats,name=conf-rows-wait");
        ObjectName rows = new ObjectName(MBeanPublisher.ROWS_DOMAIN + ":name=conf-rows-wait,*");
        ObjectName record = MBeanPublisher.closedName("conf-rows-wait");
        String config = "bandwidth(name=conf-rows-wait, row-hold=600)\n";
        try (URLClassLoader previous = LibraryCopies.load("deployment.shop.war");
             URLClassLoader next = LibraryCopies.load("deployment.shop.war")) {
            PredicatedHandlersParser.parse(config, previous);
            assertThat(server.queryNames(rows, null)).contains(MBeanPublisher.totalsRowName("conf-rows-wait"));
            server.unregisterMBean(name);
            assertThat(server.queryNames(rows, null)).isEmpty();
            assertThat(server.getClassLoaderFor(record)).as("the record's class loader: the JDK's").isNull();

            PredicatedHandlersParser.parse(config, next);
            assertThat(server.getClassLoaderFor(name)).isSameAs(next);
            assertThat(server.isRegistered(MBeanPublisher.consoleName("conf-rows-wait", ConsoleMBean.SIZES))).isTrue();
            assertThat(server.queryNames(rows, null)).as("within the hold since the previous deployment's close").isEmpty();
            assertThat(server.isRegistered(record)).isTrue();
            server.unregisterMBean(name);
        }
    }

    @Test
    void anMBeanOfThatNameFromSomethingElseIsNotReplaced() throws Exception {
        ObjectName taken = new ObjectName("io.github.httpbandwidth:type=BandwidthStats,name=conf-taken");
        Runnable nothing = () -> { };
        server.registerMBean(new javax.management.StandardMBean(nothing, Runnable.class), taken);
        assertThatThrownBy(() -> PredicatedHandlersParser.parse("bandwidth(conf-taken)", getClass().getClassLoader()))
                .hasStackTraceContaining("is already registered");
        assertThat(server.getObjectInstance(taken).getClassName()).isNotEqualTo(BandwidthStats.class.getName());
    }

    @Test
    void aClassifierNamedInTheConfigurationNamesTheRows() throws Exception {
        List<PredicatedHandler> config = PredicatedHandlersParser.parse(
                "bandwidth(name=conf-named, classifier=io.github.httpbandwidth.HeaderClassifier)",
                getClass().getClassLoader());
        ObjectName named = new ObjectName("io.github.httpbandwidth:type=BandwidthStats,name=conf-named");
        try (TestServer http = TestServer.start(Handlers.predicates(config, TestRoutes.basic()))) {
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(http.uri("/small"))
                    .header(HeaderClassifier.HEADER.toString(), "/by-header").build(),
                    HttpResponse.BodyHandlers.discarding());
            Await.until("the request to count", () -> requests(named) == 1);
        }
        assertThat(server.getAttribute(named, "BytesSent")).isEqualTo((long) TestRoutes.SMALL_SIZE);
        assertThat(endpointNames(named)).containsExactlyInAnyOrder("/by-header", "(overflow)", "(unmatched)");
    }

    @Test
    void aClassifierThatCannotBeUsedFailsTheParseWithWhatIsAllowed() {
        String allowed = "give the full name of a public class that implements io.github.httpbandwidth.EndpointClassifier"
                + " and has a public no-argument constructor";
        assertThatThrownBy(() -> PredicatedHandlersParser.parse("bandwidth(name=conf-x, classifier=com.example.Nope)",
                getClass().getClassLoader()))
                .hasStackTraceContaining("classifier: no class com.example.Nope is visible").hasStackTraceContaining(allowed);
        assertThatThrownBy(() -> PredicatedHandlersParser.parse("bandwidth(name=conf-x, classifier=java.lang.String)",
                getClass().getClassLoader()))
                .hasStackTraceContaining("classifier: java.lang.String does not implement").hasStackTraceContaining(allowed);
        assertThatThrownBy(() -> PredicatedHandlersParser.parse(
                "bandwidth(name=conf-x, classifier=io.github.httpbandwidth.EndpointClassifier)", getClass().getClassLoader()))
                .hasStackTraceContaining("could not be created").hasStackTraceContaining(allowed);
        assertThat(server.isRegistered(objectName("conf-x"))).isFalse();
    }

    @Test
    void aClientKeyAndCapacityFromTheConfigurationKeyTheTopClients() throws Exception {
        List<PredicatedHandler> config = PredicatedHandlersParser.parse(
                "bandwidth(name=conf-clients, client-key='header:X-Worker-Id|remote-address', client-capacity=7)",
                getClass().getClassLoader());
        ObjectName named = objectName("conf-clients");
        try (TestServer http = TestServer.start(Handlers.predicates(config, TestRoutes.basic()))) {
            HttpClient client = HttpClient.newHttpClient();
            client.send(HttpRequest.newBuilder(http.uri("/small")).header("X-Worker-Id", "w-9").build(),
                    HttpResponse.BodyHandlers.discarding());
            client.send(HttpRequest.newBuilder(http.uri("/small")).build(), HttpResponse.BodyHandlers.discarding());
            Await.until("both requests on client rows", () -> clientNames(named).size() == 3);
        }
        assertThat(clientNames(named)).containsExactly("127.0.0.1", "w-9", "(other)");
        assertThat(server.getAttribute(named, "ClientCapacity")).isEqualTo(7);
    }

    @Test
    void aClientKeyThatCannotBeReadFailsTheParseWithWhatIsAllowed() {
        String allowed = "allowed are remote-address, principal, header:<name>, forwarded-for:<proxy address or range>";
        for (String bad : List.of("'header:'", "'ip'", "'header:X-Worker-Id|'", "'forwarded-for:10.0.0.0/99'",
                "'header:Authorization'")) {
            assertThatThrownBy(() -> PredicatedHandlersParser.parse("bandwidth(name=conf-x, client-key=" + bad + ")",
                    getClass().getClassLoader())).as(bad).hasStackTraceContaining("allowed");
        }
        assertThatThrownBy(() -> ClientKey.parse("ip")).hasMessage("client key: got \"ip\"; " + allowed
                + " (several separated by spaces or commas), or several keys separated by |, such as header:X-Worker-Id|remote-address");
        assertThat(server.isRegistered(objectName("conf-x"))).isFalse();
    }

    @Test
    void badOptionsFailTheParseWithWhatIsAllowed() {
        assertThatThrownBy(() -> PredicatedHandlersParser.parse("bandwidth(name='has space')", getClass().getClassLoader()))
                .hasStackTraceContaining("allowed are 1 to 64 characters");
        assertThatThrownBy(() -> PredicatedHandlersParser.parse("bandwidth(name=conf-x, endpoint-cap=0)",
                getClass().getClassLoader()))
                .hasStackTraceContaining("endpoint-cap: got 0; allowed are 1 to 10000");
        assertThatThrownBy(() -> PredicatedHandlersParser.parse("bandwidth(name=conf-x, client-capacity=1001)",
                getClass().getClassLoader()))
                .hasStackTraceContaining("client-capacity: got 1001; allowed are 0 (no top clients) to 1000");
        assertThatThrownBy(() -> PredicatedHandlersParser.parse("bandwidth(name=conf-x, row-hold=3601)",
                getClass().getClassLoader()))
                .hasStackTraceContaining("row-hold: got 3601 s; allowed are 0");
    }

    /** Every bad option is refused by name, saying what is allowed, whatever Undertow's parser makes of it first. */
    @Test
    void everyBadOptionNamesItselfAndWhatIsAllowed() {
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("bandwidth(name=conf-y, endpoint-cap=2147483648)", "endpoint-cap: got 2147483648; allowed are 1 to 10000");
        refused.put("bandwidth(name=conf-y, client-capacity=99999999999)", "client-capacity: got 99999999999; allowed are 0");
        refused.put("bandwidth(name=conf-y, endpoint-cap=ten)", "endpoint-cap: got ten; allowed are 1 to 10000");
        refused.put("bandwidth(name=conf-y, client-key='header:X Id')", "header: got \"X Id\", which is not a header name");
        refused.put("bandwidth(name=conf-y, classifier=" + ThrowingClassifier.class.getName() + ")",
                "classifier: " + ThrowingClassifier.class.getName() + " could not be created");
        refused.forEach((conf, message) -> assertThatThrownBy(() -> PredicatedHandlersParser.parse(conf,
                getClass().getClassLoader())).as(conf).hasStackTraceContaining(message));
        // Ranges separated by commas, as a proxy list is often written, are read as well as by spaces.
        assertThat(ClientKey.parse("forwarded-for:10.0.0.0/8, 192.168.0.0/16")).isNotNull();
        assertThatThrownBy(() -> ClientKey.parse("forwarded-for:10.0.0.0/8; 192.168.0.0/16"))
                .hasMessageContaining("separated by spaces or commas");
        assertThatThrownBy(() -> new BandwidthFilter().setClassifier(null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("classifier: got null");
        assertThatThrownBy(() -> ClientKey.header("X\u0000Id")).isInstanceOf(IllegalArgumentException.class);
        assertThat(server.isRegistered(objectName("conf-y"))).isFalse();
    }

    /** A classifier whose class cannot be initialised. */
    public static final class ThrowingClassifier implements EndpointClassifier {
        static {
            if (Boolean.parseBoolean("true")) {
                throw new IllegalStateException("a static initializer that fails");
            }
        }

        @Override
        public String classify(io.undertow.server.HttpServerExchange exchange) {
            return null;
        }
    }

    private static ObjectName objectName(String name) {
        try {
            return new ObjectName("io.github.httpbandwidth:type=BandwidthStats,name=" + name);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The top clients' names, in the table's order (busiest first, then the fixed rows). */
    private List<String> clientNames(ObjectName name) {
        try {
            TabularData rows = (TabularData) server.getAttribute(name, "Clients");
            return rows.values().stream().map(row -> (String) ((CompositeData) row).get("client")).toList();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> endpointNames(ObjectName name) throws Exception {
        TabularData rows = (TabularData) server.getAttribute(name, "Endpoints");
        return rows.values().stream()
                .map(row -> (String) ((CompositeData) row).get("endpoint")).toList();
    }

    private long requests(ObjectName name) {
        try {
            return (Long) server.getAttribute(name, "Requests");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
