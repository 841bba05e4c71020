package io.github.httpbandwidth;

import io.prometheus.jmx.JmxCollector;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.undertow.Handlers;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import org.junit.jupiter.api.Test;

import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.net.InetAddress;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** Top clients through a real server: exact rows for known traffic, bounds under a flood of keys from 8 threads. */
class TopClientsTest {

    private static final ClientKey WORKER_OR_ADDRESS = ClientKey.header("X-Worker-Id").orElse(ClientKey.remoteAddress());

    /**
     * {@code POST /echo?out=N&status=S}: reads the request body (on a worker thread), answers {@code N} bytes with
     * status {@code S} (default 200).
     */
    static HttpHandler echo() {
        return Handlers.routing().post("/echo", TestRoutes.blocking(TopClientsTest::answer))
                .get("/echo", TestRoutes.blocking(TopClientsTest::answer));
    }

    private static void answer(HttpServerExchange ex) throws java.io.IOException {
        ex.getInputStream().readAllBytes();
        Map<String, java.util.Deque<String>> q = ex.getQueryParameters();
        int out = q.containsKey("out") ? Integer.parseInt(q.get("out").getFirst()) : 0;
        if (q.containsKey("status")) {
            ex.setStatusCode(Integer.parseInt(q.get("status").getFirst()));
        }
        ex.getResponseSender().send(java.nio.ByteBuffer.allocate(out));
    }

    static void post(RawHttp http, String worker, int in, int out) throws java.io.IOException {
        post(http, worker, in, out, 200);
    }

    static void post(RawHttp http, String worker, int in, int out, int status) throws java.io.IOException {
        String header = worker == null ? "" : "X-Worker-Id: " + worker + "\r\n";
        byte[] head = ("POST /echo?out=" + out + "&status=" + status + " HTTP/1.1\r\nHost: localhost\r\n" + header
                + "Content-Length: " + in + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        // One write: head and body in two small writes would wait on Nagle's algorithm and delayed ACKs (40 ms).
        http.sendRaw(Arrays.copyOf(head, head.length + in));
        http.readResponse(false);
    }

    @Test
    void knownClientsGetExactRowsAndANewcomerInAFullTableInheritsTheLeastWeight() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("clients-exact").clientKey(WORKER_OR_ADDRESS)
                .clientCapacity(3).build();
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, echo()));
             RawHttp http = new RawHttp(server.port())) {
            for (int i = 0; i < 3; i++) {
                post(http, "w1", 1000, 200);
            }
            post(http, "w2", 500, 100);
            post(http, "w2", 500, 100);
            post(http, null, 0, 50);
            BandwidthSnapshot s = Await.completed(stats, 6);
            assertThat(s.clients()).containsExactly(
                    new ClientSnapshot("w1", 3000, 600, 3, 0),
                    new ClientSnapshot("w2", 1000, 200, 2, 0),
                    new ClientSnapshot("127.0.0.1", 0, 50, 1, 0),
                    new ClientSnapshot("(other)", 0, 0, 0, 50));

            // The table is full: w3 takes the place of the least client (127.0.0.1, 50 bytes), whose exchange now
            // counts in (other); w3's row shows exactly what it moved, and says up to 50 bytes may be missing.
            post(http, "w3", 10, 0);
            s = completedWithClients(stats, 7);
            assertThat(s.clients()).containsExactly(
                    new ClientSnapshot("w1", 3000, 600, 3, 0),
                    new ClientSnapshot("w2", 1000, 200, 2, 0),
                    new ClientSnapshot("w3", 10, 0, 1, 50),
                    new ClientSnapshot("(other)", 0, 50, 1, 60));
            assertRowsAddUp(s);
        }
    }

    /**
     * Each thread remembers the last connection it served and its address: keep-alive connections from three
     * addresses, their requests interleaved over the server's worker threads, each on its own address, with the
     * default key and as a chain's fallback; and HTTP/2 streams, each a connection object of its own.
     */
    @Test
    void everyConnectionIsKeyedByItsOwnPeerAddress() throws Exception {
        for (ClientKey key : List.of(ClientKey.remoteAddress(), WORKER_OR_ADDRESS)) {
            BandwidthStats stats = BandwidthStats.builder().name("clients-peers").clientKey(key).build();
            try (TestServer server = TestServer.startHttp2(new BandwidthHandler(stats, echo()));
                 RawHttp one = RawHttp.from("127.0.0.1", server.port());
                 RawHttp two = RawHttp.from("127.0.0.2", server.port());
                 RawHttp three = RawHttp.from("127.0.0.3", server.port())) {
                for (int i = 0; i < 30; i++) {
                    post(one, null, 1, 10);
                    post(two, null, 2, 20);
                    post(three, i % 3 == 0 ? "w9" : null, 3, 30);
                }
                HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
                for (int i = 0; i < 5; i++) {
                    // The first, a GET, upgrades the connection (h2c); then POSTs of 4 bytes as HTTP/2 streams.
                    HttpRequest.Builder request = HttpRequest.newBuilder(server.uri("/echo?out=7"));
                    HttpRequest get = request.build();
                    HttpRequest post = request.POST(HttpRequest.BodyPublishers.ofByteArray(new byte[4])).build();
                    HttpResponse<byte[]> r = h2.send(i == 0 ? get : post, HttpResponse.BodyHandlers.ofByteArray());
                    assertThat(r.body()).hasSize(7);
                    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
                }
                BandwidthSnapshot s = completedWithClients(stats, 95);
                List<ClientSnapshot> expected = key == WORKER_OR_ADDRESS
                        ? List.of(new ClientSnapshot("127.0.0.3", 60, 600, 20, 0),
                                new ClientSnapshot("127.0.0.2", 60, 600, 30, 0),
                                new ClientSnapshot("127.0.0.1", 46, 335, 35, 0),
                                new ClientSnapshot("w9", 30, 300, 10, 0))
                        : List.of(new ClientSnapshot("127.0.0.3", 90, 900, 30, 0),
                                new ClientSnapshot("127.0.0.2", 60, 600, 30, 0),
                                new ClientSnapshot("127.0.0.1", 46, 335, 35, 0));
                assertThat(s.clients()).containsAll(expected);
                assertThat(s.clients()).hasSize(expected.size() + 1);
                assertRowsAddUp(s);
            } finally {
                stats.close();
            }
        }
    }

    @Test
    void aKeyThatThrowsOrGivesNothingGoesToUnidentifiedAndIsCounted() throws Exception {
        ClientKey key = ex -> {
            String worker = ex.getRequestHeaders().getFirst("X-Worker-Id");
            if ("boom".equals(worker)) {
                throw new IllegalStateException("boom");
            }
            return worker;
        };
        BandwidthStats stats = BandwidthStats.builder().name("clients-unidentified").clientKey(key).build();
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, echo()));
             RawHttp http = new RawHttp(server.port())) {
            post(http, "boom", 7, 3);
            post(http, "boom", 7, 3);
            post(http, null, 1, 1);
            post(http, "w1", 100, 0);
            BandwidthSnapshot s = completedWithClients(stats, 4);
            assertThat(s.clients()).containsExactly(
                    new ClientSnapshot("w1", 100, 0, 1, 0),
                    new ClientSnapshot("(unidentified)", 15, 7, 3, 0),
                    new ClientSnapshot("(other)", 0, 0, 0, 0));
            assertThat(s.clientKeyErrors()).isEqualTo(2);
        }
    }

    @Test
    void whatThreadsThatEndedCountedStaysAndTheirBuffersGo() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("clients-ended")
                .clientKey(ex -> ex.getRequestHeaders().getFirst("X-Worker-Id")).build();
        Endpoint row = stats.endpointOf(ExchangeTallyDriver.routed("/jobs"));
        for (int t = 0; t < 40; t++) {
            HttpServerExchange exchange = ExchangeTallyDriver.routed("/jobs");
            exchange.getRequestHeaders().put(new io.undertow.util.HttpString("X-Worker-Id"), "w" + (t % 4));
            Thread thread = new Thread(() -> ExchangeTallyDriver.complete(stats, row, exchange, 10, 1));
            thread.start();
            thread.join();
        }
        BandwidthSnapshot s = stats.snapshot();
        assertThat(s.clients()).containsExactly(
                new ClientSnapshot("w0", 100, 10, 10, 0), new ClientSnapshot("w1", 100, 10, 10, 0),
                new ClientSnapshot("w2", 100, 10, 10, 0), new ClientSnapshot("w3", 100, 10, 10, 0),
                new ClientSnapshot("(other)", 0, 0, 0, 0));
        assertThat(stats.clientBuffers()).as("buffers of ended threads").isZero();
    }

    /**
     * One header value, sent over HTTP/1.1 and over HTTP/2, names one row. Undertow's HTTP/1.1 parser trims a value
     * and folds a run of blanks that starts with a space into one space; its HTTP/2 decoder hands the value over as
     * it came, so a worker id with a trailing space or two spaces in a row would otherwise be two clients.
     */
    @Test
    void aHeaderValueNamesTheSameRowOverHttp1AndHttp2() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("clients-h1-h2").clientKey(WORKER_OR_ADDRESS).build();
        List<String> workers = List.of("trail ", "  lead", "two  spaces", "tab\tinside", "mixed \t run",
                "(other) ", "   ");
        try (TestServer server = TestServer.startHttp2(new BandwidthHandler(stats, echo()));
             RawHttp http = new RawHttp(server.port())) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
            // The connection's first request carries the upgrade (HTTP/1.1); the rest go as HTTP/2 streams.
            client.send(HttpRequest.newBuilder(server.uri("/echo?out=1")).build(), HttpResponse.BodyHandlers.discarding());
            for (String worker : workers) {
                post(http, worker, 10, 1);
                HttpResponse<Void> response = client.send(HttpRequest.newBuilder(server.uri("/echo?out=2"))
                        .header("X-Worker-Id", worker).POST(HttpRequest.BodyPublishers.ofByteArray(new byte[20]))
                        .build(), HttpResponse.BodyHandlers.discarding());
                assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
            }
            BandwidthSnapshot s = completedWithClients(stats, 1 + 2L * workers.size());
            assertThat(s.clients()).containsExactlyInAnyOrder(
                    new ClientSnapshot("trail", 30, 3, 2, 0),
                    new ClientSnapshot("lead", 30, 3, 2, 0),
                    new ClientSnapshot("two spaces", 30, 3, 2, 0),
                    new ClientSnapshot("tab inside", 30, 3, 2, 0),
                    new ClientSnapshot("mixed run", 30, 3, 2, 0),
                    new ClientSnapshot("_(other)", 30, 3, 2, 0),
                    // A value of blanks only is no value on either protocol: the remote address names it.
                    new ClientSnapshot("127.0.0.1", 30, 4, 3, 0),
                    new ClientSnapshot("(other)", 0, 0, 0, 0));
            assertRowsAddUp(s);
        }
    }

    /**
     * A value of blanks only is no value: HTTP/1.1 reaches the key as {@code ""} (Undertow trims it), HTTP/2 as the
     * blanks the client sent (Node.js and curl send them), and both must go to the key's fallback.
     */
    @Test
    void aHeaderValueOfBlanksOnlyIsNoValueAsOverHttp1() {
        ClientKey worker = ClientKey.header("X-Worker-Id");
        for (String value : List.of("", " ", "   ", "\t", " \t  ", " ".repeat(1_000_000))) {
            HttpServerExchange exchange = new HttpServerExchange(null);
            exchange.getRequestHeaders().put(new io.undertow.util.HttpString("X-Worker-Id"), value);
            assertThat(worker.key(exchange)).as("key of %d blanks", value.length()).isNull();
        }
        HttpServerExchange named = new HttpServerExchange(null);
        named.getRequestHeaders().put(new io.undertow.util.HttpString("X-Worker-Id"), "  w1 ");
        assertThat(worker.key(named)).isEqualTo("  w1 ");
    }

    @Test
    void keysThatLookLikeFixedRowsOrCarryControlCharactersAreMended() {
        assertThat(ClientTable.name("(other)")).isEqualTo("_(other)");
        assertThat(ClientTable.name("(unidentified)")).isEqualTo("_(unidentified)");
        assertThat(ClientTable.name("a\u0001b\nc")).isEqualTo("a?b?c");
        assertThat(ClientTable.name("x".repeat(500))).hasSize(ClientTable.MAX_NAME_LENGTH);
        // Blanks as Undertow's HTTP/1.1 parser leaves them, whatever the protocol (HTTP/2 clients need not trim).
        assertThat(ClientTable.name(" (other)\t")).isEqualTo("_(other)");
        assertThat(ClientTable.name("\t a \t\t b  ")).isEqualTo("a b");
        assertThat(ClientTable.name(" \t ")).isEqualTo(EndpointNames.EMPTY);
        // A long value is folded before it is cut, so the cut falls where it falls on the folded value.
        String folded = "y".repeat(126) + " z" + "y".repeat(100);
        assertThat(ClientTable.kept("   " + folded.replace(" ", " \t  "))).isEqualTo(folded.substring(0, 128));
        assertThat(ClientTable.name(ClientTable.kept("y".repeat(127) + "    z"))).isEqualTo("y".repeat(127));
        assertThat(ClientTable.kept("\ud83d\ude00".repeat(100))).isEqualTo("\ud83d\ude00".repeat(64));
        // Folding reads a bounded prefix: blanks by the thousand before a name leave it out, whatever their number.
        assertThat(ClientTable.kept(" ".repeat(1000) + "x" + " ".repeat(1000))).isEqualTo("x");
        assertThat(ClientTable.kept(" ".repeat(ClientTable.MAX_FOLDED_SCAN) + "x")).isEqualTo("");
        assertThat(ClientTable.kept(" ".repeat(1_000_000) + "x")).isEqualTo("");
        assertThat(ClientTable.kept("y" + "\ud83d\ude00".repeat(100))).isEqualTo("y" + "\ud83d\ude00".repeat(63));
        assertThatThrownBy(() -> ClientKey.header("Authorization")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("secrets").hasMessageContaining("X-Worker-Id");
        assertThatThrownBy(() -> BandwidthStats.builder().clientCapacity(1001))
                .hasMessage("clientCapacity: got 1001; allowed are 0 (no top clients) to 1000 (default 50)");
        assertThatThrownBy(() -> ClientKey.forwardedFor("10.0.0.0/33"))
                .hasMessageContaining("got \"10.0.0.0/33\"").hasMessageContaining("10.0.0.0/8");
    }

    @Test
    void forwardedForIsBelievedOnlyFromATrustedProxy() throws Exception {
        BandwidthStats trusting = BandwidthStats.builder().name("clients-xff-trusted")
                .clientKey(ClientKey.forwardedFor("127.0.0.0/8")).build();
        BandwidthStats distrusting = BandwidthStats.builder().name("clients-xff-untrusted")
                .clientKey(ClientKey.forwardedFor("10.0.0.0/8", "::1")).build();
        for (BandwidthStats stats : List.of(trusting, distrusting)) {
            try (TestServer server = TestServer.start(new BandwidthHandler(stats, echo()));
                 RawHttp http = new RawHttp(server.port())) {
                // The client claims 203.0.113.9; the proxy (127.0.0.1, trusted or not) appended 198.51.100.4,
                // and a second trusted hop 127.0.0.2.
                http.send("POST /echo?out=5 HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-For: 203.0.113.9, "
                        + "198.51.100.4, 127.0.0.2\r\nContent-Length: 3\r\n\r\n", new byte[3]);
                http.readResponse(false);
                BandwidthSnapshot s = completedWithClients(stats, 1);
                String expected = stats == trusting ? "198.51.100.4" : "127.0.0.1";
                assertThat(s.clients().get(0)).isEqualTo(new ClientSnapshot(expected, 3, 5, 1, 0));
            }
        }
    }

    @Test
    void thePrincipalKeyNamesWhomUndertowsSecurityAuthenticated() throws Exception {
        io.undertow.security.idm.IdentityManager users = new io.undertow.security.idm.IdentityManager() {
            @Override
            public io.undertow.security.idm.Account verify(io.undertow.security.idm.Account account) {
                return account;
            }

            @Override
            public io.undertow.security.idm.Account verify(String id, io.undertow.security.idm.Credential credential) {
                boolean ok = credential instanceof io.undertow.security.idm.PasswordCredential p
                        && new String(p.getPassword()).equals("secret-" + id);
                return ok ? account(id) : null;
            }

            @Override
            public io.undertow.security.idm.Account verify(io.undertow.security.idm.Credential credential) {
                return null;
            }
        };
        HttpHandler secured = new io.undertow.security.handlers.SecurityInitialHandler(
                io.undertow.security.api.AuthenticationMode.PRO_ACTIVE, users,
                new io.undertow.security.handlers.AuthenticationMechanismsHandler(
                        new io.undertow.security.handlers.AuthenticationCallHandler(echo()),
                        List.of(new io.undertow.security.impl.BasicAuthenticationMechanism("test"))));
        BandwidthStats stats = BandwidthStats.builder().name("clients-principal").clientKey(ClientKey.principal()).build();
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, secured));
             RawHttp http = new RawHttp(server.port())) {
            for (String user : List.of("alice", "alice", "bob")) {
                String basic = java.util.Base64.getEncoder().encodeToString((user + ":secret-" + user)
                        .getBytes(StandardCharsets.UTF_8));
                http.send("POST /echo?out=4 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic " + basic
                        + "\r\nContent-Length: 0\r\n\r\n", null);
                assertThat(http.readResponse(false).status()).isEqualTo(200);
            }
            // No credentials: authentication is not required here, so it passes, with no principal.
            http.send("POST /echo?out=3 HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n", null);
            assertThat(http.readResponse(false).status()).isEqualTo(200);
            BandwidthSnapshot s = completedWithClients(stats, 4);
            assertThat(s.clients()).extracting(ClientSnapshot::client, ClientSnapshot::bytesSent, ClientSnapshot::requests)
                    .containsExactly(tuple("alice", 8L, 2L), tuple("bob", 4L, 1L),
                            tuple("(unidentified)", 3L, 1L), tuple("(other)", 0L, 0L));
        }
    }

    private static io.undertow.security.idm.Account account(String name) {
        java.security.Principal principal = () -> name;
        return new io.undertow.security.idm.Account() {
            @Override
            public java.security.Principal getPrincipal() {
                return principal;
            }

            @Override
            public Set<String> getRoles() {
                return Set.of();
            }
        };
    }

    @Test
    void forwardedHopsAreReadAsAddressesWithoutANameLookup() throws Exception {
        assertThat(AddressRange.literal("203.0.113.9:4711")).isEqualTo(InetAddress.getByName("203.0.113.9"));
        assertThat(AddressRange.literal("[2001:db8::1]:443")).isEqualTo(InetAddress.getByName("2001:db8::1"));
        assertThat(AddressRange.literal("[::1]")).isEqualTo(InetAddress.getByName("::1"));
        // Not addresses, and never looked up as names (a lookup on the request thread would be a stall an attacker
        // behind a trusted proxy could cause at will).
        for (String notAnAddress : List.of("999.1.1.1", "1.2.3", "unknown", "_hidden", "example.com", "[::1", "1:2:3:x::")) {
            assertThat(AddressRange.literal(notAnAddress)).as(notAnAddress).isNull();
        }

        BandwidthStats stats = BandwidthStats.builder().name("clients-xff-hops")
                .clientKey(ClientKey.forwardedFor("127.0.0.0/8", "10.0.0.0/8")).build();
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, echo()));
             RawHttp http = new RawHttp(server.port())) {
            // Two header lines are one list; the right-most hop outside the trusted ranges, with its port left out.
            forwarded(http, "X-Forwarded-For: 198.51.100.77\r\nX-Forwarded-For: 203.0.113.9:4711, 10.1.2.3\r\n", 1);
            // Every hop inside the trusted ranges: the left-most.
            forwarded(http, "X-Forwarded-For: 10.9.9.9, 10.0.0.1\r\n", 2);
            // A hop that is no address is kept as written.
            forwarded(http, "X-Forwarded-For: unknown\r\n", 4);
            BandwidthSnapshot s = completedWithClients(stats, 3);
            assertThat(s.clients()).extracting(ClientSnapshot::client, ClientSnapshot::bytesReceived).containsExactly(
                    tuple("unknown", 4L), tuple("10.9.9.9", 2L), tuple("203.0.113.9", 1L), tuple("(other)", 0L));
        }
    }

    private static void forwarded(RawHttp http, String headers, int in) throws java.io.IOException {
        http.send("POST /echo HTTP/1.1\r\nHost: localhost\r\n" + headers + "Content-Length: " + in + "\r\n\r\n",
                new byte[in]);
        http.readResponse(false);
    }

    /**
     * 100,000 requests, each from a new worker id, from 8 client threads, with five heavy workers hidden among
     * them at random: at most K+1 client label values in a scrape through the shipped rules, heap flat, every
     * client that moved more than total/K present, within the stated error, and the heavy five on top, in order.
     */
    @Test
    void aFloodOfDistinctKeysStaysBoundedAndHeavyWorkersComeOutOnTopInOrder() throws Exception {
        int threads = 8;
        int noise = 100_000;
        int noiseBytes = 50;
        int heavyBytes = 10_000;
        String[] heavy = {"heavy-1", "heavy-2", "heavy-3", "heavy-4", "heavy-5"};
        int[] heavyRequests = {200, 150, 100, 60, 30};
        BandwidthStats stats = BandwidthStats.builder().name("clients-flood").clientKey(WORKER_OR_ADDRESS).build();
        int capacity = ClientTable.DEFAULT_CAPACITY;
        ObjectName mbean = stats.registerMBean(ManagementFactory.getPlatformMBeanServer());
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, echo()))) {
            // A warm-up with the same kind of traffic, so the heap is measured against a running server.
            send(server, threads, List.of(), 8_000, noiseBytes, "warm", 0);
            long heapBefore = usedHeapAfterGc();

            List<String> work = new ArrayList<>();
            for (int h = 0; h < heavy.length; h++) {
                for (int i = 0; i < heavyRequests[h]; i++) {
                    work.add(heavy[h]);
                }
            }
            send(server, threads, work, noise, noiseBytes, "noise", heavyBytes);
            long requests = 8_000 + noise + work.size();
            BandwidthSnapshot s = completedWithClients(stats, requests);
            long heapGrowth = usedHeapAfterGc() - heapBefore;

            assertRowsAddUp(s);
            long total = s.requestSizes().sumBytes() + s.responseSizes().sumBytes();
            assertThat(total).isEqualTo((8_000L + noise) * noiseBytes + (long) work.size() * heavyBytes);
            double bound = (double) total / capacity;
            assertThat(s.clients()).hasSize(capacity + 1);
            for (int h = 0; h < heavy.length; h++) {
                ClientSnapshot row = s.clients().get(h);
                long truth = (long) heavyRequests[h] * heavyBytes;
                assertThat(row.client()).as("rank %d", h + 1).isEqualTo(heavy[h]);
                assertThat(truth).as("%s moved more than total/K", heavy[h]).isGreaterThan((long) bound);
                assertThat(row.bytesReceived()).isLessThanOrEqualTo(truth);
                assertThat(truth - row.bytesReceived()).as("%s's missing bytes", heavy[h])
                        .isBetween(0L, row.errorBytes());
                assertThat((double) row.errorBytes()).isLessThanOrEqualTo(bound);
            }
            // Heap: 100,000 names kept would take several MB; the table keeps K and each server thread at most 8.
            assertThat(heapGrowth).as("heap growth over 100,000 distinct keys").isLessThan(2L << 20);

            Exposition scrape = scrape();
            Set<String> labels = new HashSet<>();
            scrape.find("scheduler_http_client_requests_total", Map.of("handler", "clients-flood"))
                    .forEach(sample -> labels.add(sample.labels().get("client")));
            assertThat(labels).hasSizeLessThanOrEqualTo(capacity + 1).contains(heavy).contains("(other)");
            assertThat(scrape.value("scheduler_http_client_bandwidth_bytes_total",
                    Map.of("handler", "clients-flood", "client", "heavy-1", "direction", "inbound")))
                    .isEqualTo(s.client("heavy-1").bytesReceived());
            // The MBean's table, as JConsole shows it: busiest first.
            TabularData table = (TabularData) ManagementFactory.getPlatformMBeanServer().getAttribute(mbean, "Clients");
            CompositeData first = table.values().stream().map(CompositeData.class::cast).findFirst().orElseThrow();
            assertThat(first.get("client")).isEqualTo("heavy-1");
        } finally {
            stats.close();
        }
    }

    /** {@code noise} requests with distinct worker ids, and {@code heavy} shuffled among them, over 8 connections. */
    private static void send(TestServer server, int threads, List<String> heavy, int noise, int noiseBytes,
                             String prefix, int heavyBytes) throws Exception {
        List<String> all = new ArrayList<>(heavy);
        for (int i = 0; i < noise; i++) {
            all.add(null);
        }
        Collections.shuffle(all, new Random(42));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                try (RawHttp http = new RawHttp(server.port())) {
                    for (int i = thread; i < all.size(); i += threads) {
                        String worker = all.get(i);
                        if (worker == null) {
                            post(http, prefix + "-" + i, noiseBytes, 0);
                        } else {
                            post(http, worker, heavyBytes, 0);
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(300, TimeUnit.SECONDS);
        }
        pool.shutdown();
    }

    /** As {@link Await#completed}, and until the client rows show every completion too. */
    static BandwidthSnapshot completedWithClients(BandwidthStats stats, long requests) {
        Await.until(requests + " completed exchanges on the client rows", () -> {
            BandwidthSnapshot s = Await.completed(stats, requests);
            return s.clients().stream().mapToLong(ClientSnapshot::requests).sum() == s.requests();
        });
        return stats.snapshot();
    }

    static void assertRowsAddUp(BandwidthSnapshot s) {
        assertThat(s.clients().stream().mapToLong(ClientSnapshot::requests).sum()).isEqualTo(s.requests());
        assertThat(s.clients().stream().mapToLong(ClientSnapshot::bytesReceived).sum())
                .isEqualTo(s.requestSizes().sumBytes());
        assertThat(s.clients().stream().mapToLong(ClientSnapshot::bytesSent).sum())
                .isEqualTo(s.responseSizes().sumBytes());
    }

    static Exposition scrape() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        new JmxCollector(new File("jmx-exporter-config.yaml"), JmxCollector.Mode.AGENT).register(registry);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PrometheusTextFormatWriter(false).write(out, registry.scrape());
        return Exposition.parse(out.toString(StandardCharsets.UTF_8));
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
