package io.github.httpbandwidth;

import io.undertow.Handlers;
import io.undertow.conduits.GzipStreamSourceConduit;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.server.handlers.encoding.ContentEncodingRepository;
import io.undertow.server.handlers.encoding.EncodingHandler;
import io.undertow.server.handlers.encoding.GzipEncodingProvider;
import io.undertow.server.handlers.encoding.RequestEncodingHandler;
import io.undertow.server.handlers.resource.PathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;
import io.undertow.util.Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Exact body byte counts for each way Undertow moves a body, through a real server and real clients. */
class BodyCountingTest {

    private static final int FILE_SIZE = 1_500_000;
    private static final byte[] SMALL = filled(1000);

    @TempDir
    Path webRoot;

    private BandwidthStats stats;
    private TestServer server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws IOException {
        Files.createDirectories(webRoot.resolve("files"));
        Files.write(webRoot.resolve("files/big.bin"), random(FILE_SIZE));
        ResourceHandler files = Handlers.resource(new PathResourceManager(webRoot));
        RoutingHandler routes = Handlers.routing()
                .get("/small", ex -> ex.getResponseSender().send(java.nio.ByteBuffer.wrap(SMALL)))
                .post("/upload/blocking", BodyCountingTest::readBlocking)
                .post("/upload/async", ex -> ex.getRequestReceiver().receiveFullBytes(
                        (e, bytes) -> e.getResponseSender().send("n=" + bytes.length)))
                .get("/stream/{chunks}", BodyCountingTest::streamChunks)
                .get("/files/{name}", files)
                .add("HEAD", "/files/{name}", files)
                .get("/nocontent", ex -> {
                    ex.setStatusCode(204);
                    ex.getResponseSender().send("discarded by Undertow");
                })
                .get("/boom", ex -> {
                    throw new IllegalStateException("handler failure on purpose");
                })
                .post("/reject", ex -> {
                    ex.setStatusCode(401);
                    ex.getResponseSender().send("no");
                })
                .get("/jobs/{id}", ex -> ex.getResponseSender().send("job " + ex.getQueryParameters().get("id").getFirst()))
                .get("/gzip", new EncodingHandler(gzipEncoding())
                        .setNext(ex -> ex.getResponseSender().send("compressible ".repeat(1000))))
                .post("/gunzip", new RequestEncodingHandler(ex -> ex.getRequestReceiver().receiveFullBytes(
                        (e, bytes) -> e.getResponseSender().send("n=" + bytes.length)))
                        .addEncoding("gzip", GzipStreamSourceConduit.WRAPPER));
        stats = BandwidthStats.builder().name("body-test").build();
        server = TestServer.start(new BandwidthHandler(stats, routes));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void fixedLengthGetCountsTheResponseBody() throws Exception {
        HttpResponse<byte[]> response = get("/small");

        BandwidthSnapshot s = Await.completed(stats, 1);
        assertThat(response.body()).hasSize(1000);
        assertThat(s.bytesReceived()).isZero();
        assertThat(s.bytesSent()).isEqualTo(1000);
        assertThat(s.requests()).isEqualTo(1);
        assertThat(RowCounts.of(s.endpoint("/small"))).isEqualTo(new RowCounts("/small", 0, 1000, 1));
        assertThat(s.responseSizes().sumBytes()).isEqualTo(1000);
        assertThat(s.requestSizes().sumBytes()).isZero();
    }

    @Test
    void fixedLengthPostReadByABlockingHandler() throws Exception {
        HttpResponse<byte[]> response = post("/upload/blocking", HttpRequest.BodyPublishers.ofByteArray(random(5000)));

        BandwidthSnapshot s = Await.completed(stats, 1);
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("n=5000");
        assertThat(s.bytesReceived()).isEqualTo(5000);
        assertThat(s.bytesSent()).isEqualTo(response.body().length);
        assertThat(s.endpoint("/upload/blocking").bytesReceived()).isEqualTo(5000);
    }

    @Test
    void chunkedRequestBodyCountsDechunkedBytes() throws Exception {
        byte[] body = random(100_000);
        // ofInputStream has no known length, so the JDK client sends Transfer-Encoding: chunked.
        HttpResponse<byte[]> response = post("/upload/async",
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));

        BandwidthSnapshot s = Await.completed(stats, 1);
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("n=100000");
        assertThat(s.bytesReceived()).isEqualTo(100_000);
        assertThat(s.requestSizes().sumBytes()).isEqualTo(100_000);
    }

    @Test
    void nonBlockingReceiverWithFixedLength() throws Exception {
        post("/upload/async", HttpRequest.BodyPublishers.ofByteArray(random(70_000)));

        BandwidthSnapshot s = Await.completed(stats, 1);
        assertThat(s.bytesReceived()).isEqualTo(70_000);
        assertThat(s.bytesSent()).isEqualTo("n=70000".length());
    }

    @Test
    void chunkedStreamedResponseCountsBodyNotFraming() throws Exception {
        HttpResponse<byte[]> response = get("/stream/10");

        BandwidthSnapshot s = Await.completed(stats, 1);
        assertThat(response.headers().firstValue("transfer-encoding")).hasValue("chunked");
        assertThat(response.body()).hasSize(10 * 4096);
        assertThat(s.bytesSent()).isEqualTo(10 * 4096);
    }

    @Test
    void largeFileThroughResourceHandlerTakesTheSendfilePath() throws Exception {
        HttpResponse<byte[]> response = get("/files/big.bin");

        BandwidthSnapshot s = Await.completed(stats, 1);
        assertThat(response.body()).hasSize(FILE_SIZE);
        assertThat(s.bytesSent()).isEqualTo(FILE_SIZE);
        assertThat(s.endpoint("/files/{name}").bytesSent()).isEqualTo(FILE_SIZE);
    }

    @Test
    void headCountsNoBody() throws Exception {
        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(server.uri("/files/big.bin"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());

        BandwidthSnapshot s = Await.completed(stats, 1);
        assertThat(response.headers().firstValue("content-length")).hasValue(Integer.toString(FILE_SIZE));
        assertThat(s.bytesSent()).isZero();
        assertThat(s.endpoint("/files/{name}").requests()).isEqualTo(1);
    }

    @Test
    void noContentCountsNoBodyEvenWhenTheHandlerWritesOne() throws Exception {
        HttpResponse<byte[]> response = get("/nocontent");

        BandwidthSnapshot s = Await.completed(stats, 1);
        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(s.bytesSent()).isZero();
        assertThat(s.responseSizes().cumulativeCounts()[0]).isEqualTo(1);
    }

    @Test
    void notModifiedCountsNoBody() throws Exception {
        String lastModified = get("/files/big.bin").headers().firstValue("last-modified").orElseThrow();
        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(server.uri("/files/big.bin"))
                .header("If-Modified-Since", lastModified).build(), HttpResponse.BodyHandlers.ofByteArray());

        BandwidthSnapshot s = Await.completed(stats, 2);
        assertThat(response.statusCode()).isEqualTo(304);
        assertThat(s.bytesSent()).isEqualTo(FILE_SIZE);
        assertThat(s.responseSizes().cumulativeCounts()[0]).as("the 304 is a 0-byte response").isEqualTo(1);
    }

    @Test
    void emptyBodiesCountZeroAndStillCountTheRequest() throws Exception {
        post("/upload/blocking", HttpRequest.BodyPublishers.ofByteArray(new byte[0]));

        BandwidthSnapshot s = Await.completed(stats, 1);
        assertThat(s.bytesReceived()).isZero();
        assertThat(s.requestSizes().cumulativeCounts()[0]).isEqualTo(1);
        assertThat(s.requests()).isEqualTo(1);
    }

    @Test
    void handlerThatThrowsIsCountedOnceWithWhatWasSent() throws Exception {
        HttpResponse<byte[]> response = get("/boom");

        BandwidthSnapshot s = Await.completed(stats, 1);
        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(s.requests()).isEqualTo(1);
        assertThat(s.bytesSent()).isEqualTo(response.body().length);
        assertThat(s.endpoint("/boom").requests()).isEqualTo(1);
    }

    @Test
    void routingMissGoesToTheUnmatchedRowNeverToARawPath() throws Exception {
        HttpResponse<byte[]> response = get("/no/such/route/12345");

        BandwidthSnapshot s = Await.completed(stats, 1);
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(s.endpoint("(unmatched)").requests()).isEqualTo(1);
        assertThat(s.endpoints()).extracting(EndpointSnapshot::endpoint).doesNotContain("/no/such/route/12345");
        assertThat(s.bytesSent()).isEqualTo(response.body().length);
    }

    @Test
    void bodyNeverReadIsDrainedAndCountedAsReceived() throws Exception {
        HttpResponse<byte[]> response = post("/reject", HttpRequest.BodyPublishers.ofByteArray(random(16_384)));

        BandwidthSnapshot s = Await.completed(stats, 1);
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(s.bytesReceived()).isEqualTo(16_384);
        assertThat(s.bytesSent()).isEqualTo(2);
        assertThat(RowCounts.of(s.endpoint("/reject"))).isEqualTo(new RowCounts("/reject", 16_384, 2, 1));
    }

    @Test
    void routeTemplateNamesTheEndpoint() throws Exception {
        get("/jobs/1");
        get("/jobs/22");
        get("/jobs/333");

        BandwidthSnapshot s = Await.completed(stats, 3);
        assertThat(RowCounts.of(s.endpoint("/jobs/{id}"))).isEqualTo(new RowCounts("/jobs/{id}", 0,
                "job 1".length() + "job 22".length() + "job 333".length(), 3));
    }

    @Test
    void compressionInsideTheHandlerIsCountedCompressed() throws Exception {
        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(server.uri("/gzip"))
                .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());

        BandwidthSnapshot s = Await.completed(stats, 1);
        assertThat(response.headers().firstValue("content-encoding")).hasValue("gzip");
        assertThat(response.body().length).isLessThan(13_000);
        assertThat(s.bytesSent()).isEqualTo(response.body().length);
    }

    @Test
    void eachBodyCountsAsItIsWhereThisHandlerSitsAmongCompressingHandlers() throws Exception {
        byte[] plain = filled(300_000);
        byte[] gzipped = gzip(plain);
        // A request body inflated by a RequestEncodingHandler inside this one counts as it came: compressed.
        HttpResponse<byte[]> inside = client.send(HttpRequest.newBuilder(server.uri("/gunzip"))
                .header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofByteArray(gzipped)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(new String(inside.body(), StandardCharsets.UTF_8)).isEqualTo("n=300000");
        assertThat(Await.completed(stats, 1).bytesReceived()).isEqualTo(gzipped.length).isLessThan(2_000);

        // Both compressing handlers outside this one: it sees, and counts, both bodies uncompressed.
        String answer = "compressible ".repeat(1000);
        BandwidthStats outside = BandwidthStats.builder().name("body-test-outside").build();
        try (TestServer wrapped = TestServer.start(new EncodingHandler(gzipEncoding()).setNext(
                new RequestEncodingHandler(new BandwidthHandler(outside, ex -> ex.getRequestReceiver().receiveFullBytes(
                        (e, bytes) -> e.getResponseSender().send(answer))))
                        .addEncoding("gzip", GzipStreamSourceConduit.WRAPPER)))) {
            HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(wrapped.uri("/any"))
                    .header("Content-Encoding", "gzip").header("Accept-Encoding", "gzip")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(gzipped)).build(), HttpResponse.BodyHandlers.ofByteArray());

            BandwidthSnapshot s = Await.completed(outside, 1);
            assertThat(response.headers().firstValue("content-encoding")).hasValue("gzip");
            assertThat(response.body().length).isLessThan(1_000);
            assertThat(s.bytesReceived()).isEqualTo(plain.length);
            assertThat(s.bytesSent()).isEqualTo(answer.length());
        }
    }

    private static ContentEncodingRepository gzipEncoding() {
        return new ContentEncodingRepository().addEncodingHandler("gzip", new GzipEncodingProvider(), 50);
    }

    private static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(plain);
        }
        return out.toByteArray();
    }

    @Test
    void aChunkedBodyNeverReadIsOnItsRowAsInTheTotals() throws Exception {
        // Undertow drains a chunked body nobody read when the exchange ends, and the chunked decoder ends the exchange
        // inside that drain, when it reaches the last chunk: the body's bytes are known only when the drain returns.
        // Before, they reached the totals but not the row, the sizes or the client.
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int size = 0;
        for (int chunk : new int[] {7_000, 1, 20_000, 333}) {
            body.write((Integer.toHexString(chunk) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            body.write(filled(chunk));
            body.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            size += chunk;
        }
        body.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        try (RawHttp http = new RawHttp(server.port())) {
            for (int i = 0; i < 3; i++) {
                http.send("POST /reject HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n", body.toByteArray());
                assertThat(http.readResponse(false).body()).hasSize(2);
            }
            // And one whose body arrives after the answer: drained later, by a read listener.
            http.send("POST /reject HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n", null);
            assertThat(http.readResponse(false).body()).hasSize(2);
            http.sendRaw(body.toByteArray());
            http.send("GET /small HTTP/1.1\r\nHost: localhost\r\n\r\n", null);
            assertThat(http.readResponse(false).body()).hasSize(1000);
        }

        BandwidthSnapshot s = Await.completed(stats, 5);
        assertThat(s.bytesReceived()).isEqualTo(4L * size);
        assertThat(RowCounts.of(s.endpoint("/reject"))).isEqualTo(new RowCounts("/reject", 4L * size, 8, 4));
        assertThat(s.requestSizes().sumBytes()).isEqualTo(4L * size);
    }

    @Test
    void hundredRequestsOnOneKeepAliveConnection() throws Exception {
        try (RawHttp http = new RawHttp(server.port())) {
            for (int i = 0; i < 100; i++) {
                http.send("GET /small HTTP/1.1\r\nHost: localhost\r\n\r\n", null);
                assertThat(http.readResponse(false).body()).hasSize(1000);
            }
            for (int i = 0; i < 100; i++) {
                http.send("POST /upload/async HTTP/1.1\r\nHost: localhost\r\nContent-Length: 300\r\n\r\n", filled(300));
                assertThat(http.readResponse(false).body()).hasSize("n=300".length());
            }
        }

        BandwidthSnapshot s = Await.completed(stats, 200);
        assertThat(s.requests()).isEqualTo(200);
        assertThat(s.bytesSent()).isEqualTo(100 * 1000 + 100 * "n=300".length());
        assertThat(s.bytesReceived()).isEqualTo(100 * 300);
    }

    @Test
    void sizeHistogramsPlaceEachBodyInItsBucket() throws Exception {
        get("/small");
        post("/upload/blocking", HttpRequest.BodyPublishers.ofByteArray(random(5000)));

        BandwidthSnapshot s = Await.completed(stats, 2);
        long[] bounds = s.responseSizes().upperBounds();
        long[] response = s.responseSizes().cumulativeCounts();
        long[] request = s.requestSizes().cumulativeCounts();
        int le256 = Arrays.binarySearch(bounds, 256);
        int le1024 = Arrays.binarySearch(bounds, 1024);
        int le4096 = Arrays.binarySearch(bounds, 4096);
        int le16384 = Arrays.binarySearch(bounds, 16384);
        assertThat(response[0]).as("no empty response").isZero();
        assertThat(response[le256]).as("n=5000 is 6 bytes").isEqualTo(1);
        assertThat(response[le1024]).isEqualTo(2);
        assertThat(request[0]).as("the GET has no body").isEqualTo(1);
        assertThat(request[le4096]).isEqualTo(1);
        assertThat(request[le16384]).isEqualTo(2);
        assertThat(request[request.length - 1]).isEqualTo(s.requests());
        assertThat(s.responseSizes().averageBytes()).isEqualTo((1000 + 6) / 2.0);
        assertThat(s.requestSizes().averageBytes()).isEqualTo(2500.0);
    }

    private HttpResponse<byte[]> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(server.uri(path)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<byte[]> post(String path, HttpRequest.BodyPublisher body) throws Exception {
        return client.send(HttpRequest.newBuilder(server.uri(path)).POST(body).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void readBlocking(HttpServerExchange exchange) throws IOException {
        if (exchange.isInIoThread()) {
            exchange.dispatch(BodyCountingTest::readBlocking);
            return;
        }
        exchange.startBlocking();
        int n = exchange.getInputStream().readAllBytes().length;
        exchange.getResponseSender().send("n=" + n);
    }

    private static void streamChunks(HttpServerExchange exchange) throws IOException {
        if (exchange.isInIoThread()) {
            exchange.dispatch(BodyCountingTest::streamChunks);
            return;
        }
        exchange.startBlocking();
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/octet-stream");
        int chunks = Integer.parseInt(exchange.getQueryParameters().get("chunks").getFirst());
        OutputStream out = exchange.getOutputStream();
        byte[] chunk = filled(4096);
        for (int i = 0; i < chunks; i++) {
            out.write(chunk);
            out.flush();
        }
    }

    static byte[] filled(int size) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) 'x');
        return bytes;
    }

    static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }
}
