package io.github.httpbandwidth;

import io.undertow.Handlers;
import io.undertow.server.HttpHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What JConsole and VisualVM show besides the totals, read through the platform MBeanServer: one MBean per endpoint
 * row, percentiles and largest sizes since start and over the last minute. Time moves only by the test's ticker.
 */
class ConsoleViewsTest {

    private static final Duration TICK = Duration.ofSeconds(RateTracker.TICK_SECONDS);

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final HttpClient client = HttpClient.newHttpClient();
    private final MutableTicker ticker = new MutableTicker();
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    @Test
    void everyEndpointRowIsAnMBeanBoundedByTheCapAndGoneOnClose() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("console-rows").endpointCap(3)
                .classifier(new HeaderClassifier()).ticker(ticker).build();
        stats.registerMBean(server);
        TestServer http = serve(stats, Handlers.routing()
                .get("/a", ex -> ex.getResponseSender().send(ByteBuffer.wrap(BodyCountingTest.filled(100))))
                .get("/b/{id}", ex -> ex.getResponseSender().send(ByteBuffer.wrap(BodyCountingTest.filled(200))))
                .get("/c", ex -> ex.getResponseSender().send(ByteBuffer.wrap(BodyCountingTest.filled(300))))
                .get("/d", ex -> ex.getResponseSender().send(ByteBuffer.wrap(BodyCountingTest.filled(400)))));

        get(http, "/a", null, 3);
        get(http, "/b/1", null, 1);
        get(http, "/b/2", null, 1);
        get(http, "/c", "/com,ma \"quoted\"", 1);
        get(http, "/d", null, 2);
        get(http, "/nothing-here", null, 1);
        Await.completed(stats, 9);

        ObjectName pattern = new ObjectName("io.github.httpbandwidth.console:name=console-rows,view=Endpoints,endpoint=*");
        Set<String> endpoints = new TreeSet<>();
        for (ObjectName name : server.queryNames(pattern, null)) {
            endpoints.add((String) server.getAttribute(name, "Endpoint"));
        }
        // Cap 3: three named rows, then (overflow); the two fixed rows are there from the start.
        assertThat(endpoints).containsExactly("(overflow)", "(unmatched)", "/a", "/b/{id}", "/com,ma \"quoted\"");

        ObjectName a = new ObjectName(
                "io.github.httpbandwidth.console:name=console-rows,view=Endpoints,endpoint=/a");
        assertThat(server.getAttribute(a, "BytesSent")).isEqualTo(300L);
        assertThat(server.getAttribute(a, "BytesReceived")).isEqualTo(0L);
        assertThat(server.getAttribute(a, "Requests")).isEqualTo(3L);
        // Younger than a minute: the minute's rise over 60 s.
        assertThat(server.getAttribute(a, "BytesSentPerSecond1m")).isEqualTo(300 / 60.0);
        assertThat(server.getAttribute(a, "RequestsPerSecond1m")).isEqualTo(3 / 60.0);
        ObjectName quoted = MBeanPublisher.endpointName("console-rows", "/com,ma \"quoted\"");
        assertThat(quoted.getKeyProperty("endpoint")).startsWith("\"");
        assertThat(server.getAttribute(quoted, "BytesSent")).isEqualTo(300L);
        ObjectName overflow = MBeanPublisher.endpointName("console-rows", "(overflow)");
        assertThat(overflow.getKeyProperty("endpoint")).isEqualTo("(overflow)");
        assertThat(server.getAttribute(overflow, "BytesSent")).isEqualTo(800L);
        assertThat(server.getAttribute(overflow, "Requests")).isEqualTo(2L);
        for (MBeanAttributeInfo attribute : server.getMBeanInfo(a).getAttributes()) {
            assertThat(attribute.getDescription()).as(attribute.getName()).matches("(?s).+ \\((bytes|bytes/s|requests|requests/s|text)\\)");
        }

        // A quiet minute and a tick later, the row's rates are exactly 0; its counts stay.
        for (int i = 0; i < 13; i++) {
            ticker.advance(TICK);
            stats.sampleRates();
        }
        assertThat(server.getAttribute(a, "BytesSentPerSecond1m")).isEqualTo(0.0);
        assertThat(server.getAttribute(a, "BytesSent")).isEqualTo(300L);

        // The handler's MBean, 5 endpoint rows twice (the console's and the readers' RowMBeans), the readers' totals,
        // the sizes and the transfers: all gone on close().
        ObjectName everything = new ObjectName("io.github.httpbandwidth*:name=console-rows,*");
        assertThat(server.queryNames(everything, null)).hasSize(14);
        stats.close();
        assertThat(server.queryNames(everything, null)).isEmpty();
    }

    /**
     * Reading an endpoint MBean reads that row only (never every row), with the figures and last-minute rates a whole
     * read shows: 1,000 rows counted by three threads, each row's MBean read once, no whole read among those reads.
     */
    @Test
    void readingOneEndpointMBeanReadsThatRowOnlyAndAgreesWithAWholeRead() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("console-one-row").endpointCap(1000).ticker(ticker).build();
        stats.registerMBean(server);
        opened.add(stats);
        int rows = 1000;
        int[] statuses = {200, 404, 503, 101, 302};
        for (int round = 0; round < 3; round++) {
            int r0 = round;
            Thread counting = new Thread(() -> {
                for (int r = 0; r < rows; r++) {
                    var exchange = ExchangeTallyDriver.routed("/rows/" + r + "/{id}");
                    exchange.setStatusCode(statuses[(r + r0) % statuses.length]);
                    ExchangeTallyDriver.complete(stats, stats.endpointOf(exchange), exchange, r0 * 7L + r,
                            1000L * r0 + r % 13);
                }
            });
            counting.start();
            counting.join();
            ticker.advance(TICK.multipliedBy(5));
            stats.sampleRates();
        }
        ObjectName pattern = new ObjectName("io.github.httpbandwidth.console:name=console-one-row,view=Endpoints,*");
        Set<ObjectName> names = server.queryNames(pattern, null);
        assertThat(names).hasSize(rows + 2);
        String[] attributes = {"Endpoint", "BytesReceived", "BytesSent", "Requests", "BytesReceivedPerSecond1m",
                "BytesSentPerSecond1m", "RequestsPerSecond1m"};

        BandwidthSnapshot whole = stats.snapshot();
        long wholeReadsBefore = stats.wholeReads();
        int nonZeroRates = 0;
        for (ObjectName name : names) {
            List<javax.management.Attribute> read = server.getAttributes(name, attributes).asList();
            EndpointSnapshot expected = whole.endpoint((String) read.get(0).getValue());
            assertThat(expected).as(name.toString()).isNotNull();
            assertThat(read.stream().map(javax.management.Attribute::getValue).toList()).as(name.toString())
                    .containsExactly(expected.endpoint(), expected.bytesReceived(), expected.bytesSent(),
                            expected.requests(), expected.bytesReceivedPerSecond1m(), expected.bytesSentPerSecond1m(),
                            expected.requestsPerSecond1m());
            if (expected.bytesSentPerSecond1m() > 0) {
                nonZeroRates++;
            }
        }
        assertThat(stats.wholeReads()).as("whole reads while reading the endpoint MBeans").isEqualTo(wholeReadsBefore);
        // Every row moved within the last minute and a quarter: its rate is that rise, the same as in the whole read.
        assertThat(nonZeroRates).isEqualTo(rows);
        EndpointSnapshot row7 = whole.endpoint("/rows/7/{id}");
        assertThat(row7.requests()).isEqualTo(3);
        assertThat(row7.bytesReceived()).isEqualTo(7 * 3 + 7 * (0 + 1 + 2));
        assertThat(row7.bytesSent()).isEqualTo(3 * 7 + 1000 * (0 + 1 + 2));
    }

    @Test
    void endpointMBeansGoWhenSomeoneElseUnregistersTheHandlersMBeanAndComeBackWithIt() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("console-follow").ticker(ticker).build();
        ObjectName handler = stats.registerMBean(server);
        opened.add(stats);
        ExchangeTallyDriver.complete(stats, stats.endpointOf(ExchangeTallyDriver.routed("/jobs/{id}")), 0, 10);
        ObjectName row = MBeanPublisher.endpointName("console-follow", "/jobs/{id}");
        assertThat(server.isRegistered(row)).isTrue();
        ObjectName everything = new ObjectName("io.github.httpbandwidth*:name=console-follow,*");
        // 3 rows twice, the readers' totals, the handler's, 2 console views.
        assertThat(server.queryNames(everything, null)).hasSize(10);

        server.unregisterMBean(handler);
        assertThat(server.queryNames(everything, null)).isEmpty();

        stats.registerMBean(server);
        assertThat(server.getAttribute(row, "BytesSent")).isEqualTo(10L);
        // All of them: with a row hold (RowsAfterACloseTest), the readers' would come once it has passed.
        assertThat(server.queryNames(everything, null)).hasSize(10);
    }

    @Test
    void percentilesAndLargestSizesSinceStartAndOverTheLastMinute() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("console-sizes").ticker(ticker).build();
        ObjectName handler = stats.registerMBean(server);
        ObjectName name = new ObjectName("io.github.httpbandwidth.console:name=console-sizes,view=Sizes");
        opened.add(stats);
        TestServer http = serve(stats, TestRoutes.basic());
        for (int i = 0; i < 9; i++) {
            post(http, 1000);
        }
        post(http, 5000);
        Await.completed(stats, 10);

        // Sizes that were sent, never sizes interpolated between bucket bounds (before issue 23: 796, 1024, 5000):
        // ranks 5, 9 and 10 of 9 x 1000 and one 5000.
        assertThat(server.getAttribute(name, "RequestSizeMaxBytes")).isEqualTo(5000L);
        assertThat(server.getAttribute(name, "RequestSizeP50Bytes")).isEqualTo(1000.0);
        assertThat(server.getAttribute(name, "RequestSizeP90Bytes")).isEqualTo(1000.0);
        assertThat(server.getAttribute(name, "RequestSizeP99Bytes")).isEqualTo(5000.0);
        // Responses are "n=1000" and "n=5000": 6 bytes each.
        assertThat(server.getAttribute(name, "ResponseSizeP50Bytes")).isEqualTo(6.0);
        assertThat(server.getAttribute(name, "ResponseSizeMaxBytes")).isEqualTo(6L);
        assertThat(server.getAttribute(name, "RequestSizeMaxBytes1m")).isEqualTo(5000L);
        assertThat(server.getAttribute(name, "RequestSizeP50Bytes1m")).isEqualTo(1000.0);

        // A quiet minute and a tick: nothing in the last minute; since start unchanged.
        for (int i = 0; i < 13; i++) {
            ticker.advance(TICK);
            stats.sampleRates();
        }
        assertThat(server.getAttribute(name, "RequestSizeMaxBytes1m")).isEqualTo(0L);
        assertThat(server.getAttribute(name, "RequestSizeP99Bytes1m")).isEqualTo(0.0);
        assertThat(server.getAttribute(name, "RequestSizeMaxBytes")).isEqualTo(5000L);

        post(http, 2000);
        Await.completed(stats, 11);
        assertThat(server.getAttribute(name, "RequestSizeMaxBytes1m")).isEqualTo(2000L);
        // The one body of the last minute (before issue 23: 1536); since start rank 6 of 11 (before: 825).
        assertThat(server.getAttribute(name, "RequestSizeP50Bytes1m")).isEqualTo(2000.0);
        assertThat(server.getAttribute(name, "RequestSizeMaxBytes")).isEqualTo(5000L);
        assertThat(server.getAttribute(name, "RequestSizeP50Bytes")).isEqualTo(1000.0);
        assertThat(server.getAttribute(name, "RequestSizeP99Bytes")).isEqualTo(5000.0);
        // The handler's MBean, which the exporter scrapes, has none of these.
        assertThat(server.getMBeanInfo(handler).getAttributes()).extracting(MBeanAttributeInfo::getName)
                .noneMatch(n -> n.matches(".*(P\\d+|Max)Bytes(1m)?"));
        for (MBeanAttributeInfo attribute : server.getMBeanInfo(name).getAttributes()) {
            if (attribute.getName().matches("(Request|Response)Size(P\\d+|Max)Bytes(1m)?")) {
                assertThat(attribute.getDescription()).as(attribute.getName()).endsWith("(bytes)");
            }
            if (attribute.getName().matches(".*P\\d+Bytes(1m)?")) {
                assertThat(attribute.getDescription()).contains("nearest rank", "within 1.6%", "histogram_quantile");
            }
        }
    }

    @Test
    void theLargestBodyOfAThreadThatEndedIsKept() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("console-ended").ticker(ticker).build();
        Endpoint row = stats.endpointOf(ExchangeTallyDriver.routed("/x"));
        Thread writer = new Thread(() -> ExchangeTallyDriver.complete(stats, row, 123_456, 7));
        writer.start();
        writer.join();
        ExchangeTallyDriver.complete(stats, row, 10, 8);

        BandwidthSnapshot snapshot = stats.snapshot();
        assertThat(snapshot.requestSizes().maxBytes()).isEqualTo(123_456);
        assertThat(snapshot.requestSizesLastMinute().maxBytes()).isEqualTo(123_456);
        assertThat(snapshot.responseSizes().maxBytes()).isEqualTo(8);
        assertThat(stats.counterCells()).isEqualTo(1);
    }

    private TestServer serve(BandwidthStats stats, HttpHandler routes) {
        TestServer http = TestServer.start(new BandwidthHandler(stats, routes));
        opened.add(0, http);
        if (!opened.contains(stats)) {
            opened.add(stats);
        }
        return http;
    }

    private void get(TestServer http, String path, String endpointHeader, int times) throws Exception {
        for (int i = 0; i < times; i++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(http.uri(path));
            if (endpointHeader != null) {
                request.header("X-Test-Endpoint", HeaderClassifier.encode(endpointHeader));
            }
            client.send(request.build(), HttpResponse.BodyHandlers.discarding());
        }
    }

    private void post(TestServer http, int size) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(http.uri("/upload"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(BodyCountingTest.filled(size))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.body()).isEqualTo("n=" + size);
    }
}
