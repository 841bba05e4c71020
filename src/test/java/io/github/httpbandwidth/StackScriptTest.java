package io.github.httpbandwidth;

import com.sun.tools.attach.VirtualMachine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's first command, for real: examples/full-stack-deploy.sh starts the scheduler master under the agent
 * and Prometheus (on free ports, with its state in a temporary directory); curl talks to them as a user would.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StackScriptTest {

    /** The example master's row hold (SchedulerMaster.ROW_HOLD, 15 s), and time for a read after it. */
    private static final java.time.Duration ROW_HOLD_AND_MORE = java.time.Duration.ofSeconds(30);

    @TempDir
    static Path work;
    static ExampleStack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = ExampleStack.start(work, Map.of("ARTIFACT_MAX_BYTES", "4000000"));
    }

    @AfterAll
    static void stop() throws Exception {
        stack.close();
        Shell.Result status = stack.script("status");
        assertThat(status.output()).contains("master:     not running", "prometheus: not running");
    }

    @Test
    @Order(1)
    void firstStartCreatesThePrivateEnvFile() throws Exception {
        Path envFile = work.resolve(".env");
        assertThat(Files.readString(envFile)).containsPattern("(?m)^MASTER_API_KEY=[A-Za-z0-9_-]{40,}$");
        assertThat(Files.getPosixFilePermissions(envFile)).extracting(Object::toString)
                .containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
    }

    @Test
    @Order(2)
    void theSeedVerificationWorksVerbatimWithNonZeroNumbers() throws Exception {
        // The README's block after "Then:", as written (only the ports moved to this stack's).
        String readme = Files.readString(Path.of("README.md"));
        java.util.regex.Matcher block = java.util.regex.Pattern.compile("(?s)Then:\n\n```bash\n(.*?)```").matcher(readme);
        assertThat(block.find()).as("README: a bash block after 'Then:'").isTrue();
        String seed = block.group(1);
        assertThat(seed).contains("curl -s http://localhost:9090/metrics");
        Shell.Result result = Shell.run(work, Map.of(), seed.replace("8080", Integer.toString(stack.masterPort))
                .replace("9090", Integer.toString(stack.metricsPort)), 120);

        assertThat(result.exitCode()).as(result.output()).isZero();
        Exposition seen = Exposition.parse(result.output().substring(result.output().indexOf("# HELP")));
        // As the README says: the ten, and the start script's own GET /health.
        assertThat(seen.value("scheduler_http_requests_total", Map.of("handler", "master"))).isEqualTo(11);
        assertThat(seen.value("scheduler_http_bandwidth_bytes_total", Map.of("handler", "master", "direction", "outbound")))
                .isPositive();
        Await.until("ten GET /jobs on the /jobs row (past its row hold)", ROW_HOLD_AND_MORE,
                () -> metric("scheduler_http_endpoint_requests_total", Map.of("endpoint", "/jobs")) == 10);
    }

    @Test
    @Order(3)
    void artifactsMoveTheCountersByExactlyWhatCurlReports() throws Exception {
        byte[] artifact = new byte[300_000];
        new Random(7).nextBytes(artifact);
        Files.write(work.resolve("artifact.bin"), artifact);

        Totals before = Totals.read();
        String[] put = curl("-T artifact.bin -o /dev/null -w '%{size_upload} %{size_download} %{http_code}' "
                + "https://127.0.0.1:" + stack.masterPort + "/artifacts/build-42.tar").split(" ");
        assertThat(put[2]).isEqualTo("201");
        Totals afterPut = Totals.awaitRequests(before.requests + 1);
        assertThat(afterPut.inbound - before.inbound).isEqualTo(Long.parseLong(put[0])).isEqualTo(300_000);
        assertThat(afterPut.outbound - before.outbound).isEqualTo(Long.parseLong(put[1]));

        String[] get = curl("-o downloaded.bin -w '%{size_download} %{http_code} %{http_version}' "
                + "https://127.0.0.1:" + stack.masterPort + "/artifacts/build-42.tar").split(" ");
        assertThat(get[1]).isEqualTo("200");
        assertThat(get[2]).as("HTTP/2 negotiated").isEqualTo("2");
        assertThat(Files.readAllBytes(work.resolve("downloaded.bin"))).isEqualTo(artifact);
        Totals afterGet = Totals.awaitRequests(afterPut.requests + 1);
        assertThat(afterGet.outbound - afterPut.outbound).isEqualTo(Long.parseLong(get[0])).isEqualTo(300_000);
        assertThat(afterGet.inbound).isEqualTo(afterPut.inbound);

        String head = curl("-I -o /dev/null -w '%{http_code}' https://127.0.0.1:" + stack.masterPort + "/artifacts/build-42.tar");
        assertThat(head).isEqualTo("200");
        Totals afterHead = Totals.awaitRequests(afterGet.requests + 1);
        assertThat(afterHead.outbound).isEqualTo(afterGet.outbound);
        // A new row shows 0 for the master's row hold (15 s) first, then its counts.
        Map<String, String> row = Map.of("endpoint", "/artifacts/{name}", "direction", "outbound");
        Await.until("the /artifacts/{name} row past its hold", ROW_HOLD_AND_MORE,
                () -> metric("scheduler_http_endpoint_bandwidth_bytes_total", row) > 0);
        assertThat(metric("scheduler_http_endpoint_bandwidth_bytes_total", row))
                .as("the download and the PUT's answer").isEqualTo(300_000 + Long.parseLong(put[1]));
    }

    @Test
    @Order(4)
    void rejectedRequestsAreCountedToo() throws Exception {
        Totals before = Totals.read();
        // HTTP/1.1: Undertow drains an unread body there; over HTTP/2 it may reset the stream instead, and the
        // bytes it then drops never reach the handler (see docs/BANDWIDTH_MONITORING.md).
        String unauthorized = Shell.run(work, Map.of(), "curl -sk --http1.1 -o /dev/null -w '%{http_code}' -d 'x=1' "
                + "https://127.0.0.1:" + stack.masterPort + "/jobs", 60).output();
        String malformed = curl("-o /dev/null -w '%{http_code}' -d '{\"name\": ' https://127.0.0.1:" + stack.masterPort + "/jobs");

        assertThat(unauthorized).isEqualTo("401");
        assertThat(malformed).isEqualTo("400");
        Totals after = Totals.awaitRequests(before.requests + 2);
        assertThat(after.inbound - before.inbound).isEqualTo("x=1".length() + "{\"name\": ".length());
        assertThat(metric("scheduler_http_endpoint_requests_total", Map.of("endpoint", "(unmatched)")))
                .as("the 401 came before routing").isGreaterThanOrEqualTo(1);
    }

    @Test
    @Order(5)
    void oversizedAndEscapingArtifactsAreRefused() throws Exception {
        Files.write(work.resolve("too-big.bin"), new byte[4_000_001]);
        String base = "https://127.0.0.1:" + stack.masterPort + "/artifacts/";

        assertThat(curl("-T too-big.bin -o /dev/null -w '%{http_code}' " + base + "too-big.bin")).isEqualTo("413");
        assertThat(curl("-T artifact.bin -o /dev/null -w '%{http_code}' " + base + "..%2Fescape")).isEqualTo("400");
        assertThat(curl("-T artifact.bin -o /dev/null -w '%{http_code}' " + base + "%2E%2E")).isEqualTo("400");
        assertThat(curl("-T artifact.bin -o /dev/null -w '%{http_code}' " + base + ".hidden")).isEqualTo("400");
        assertThat(curl("-T artifact.bin -o /dev/null -w '%{http_code}' " + base + "%2Fetc%2Fpasswd")).isEqualTo("400");
        assertThat(curl("-T artifact.bin -o /dev/null -w '%{http_code}' " + base + "..%5C..%5Cwindows")).isEqualTo("400");
        assertThat(curl("-T artifact.bin -o /dev/null -w '%{http_code}' " + base + "%252e%252e%252fx")).isEqualTo("400");
        assertThat(curl("-o /dev/null -w '%{http_code}' --path-as-is " + base + "../.env")).isIn("400", "404");
        assertThat(work.resolve("state/escape")).doesNotExist();
        assertThat(work.resolve("state/artifacts/too-big.bin")).doesNotExist();
    }

    @Test
    @Order(6)
    void jconsoleStyleAttachReadsTheMBeanFromAnotherProcess() throws Exception {
        try (JMXConnector connector = attachToMaster()) {
            MBeanServerConnection mbeans = connector.getMBeanServerConnection();
            ObjectName name = new ObjectName("io.github.httpbandwidth:type=BandwidthStats,name=master");
            Totals scraped = Totals.read();
            assertThat(mbeans.getAttribute(name, "BytesReceived")).isEqualTo(scraped.inbound);
            assertThat(mbeans.getAttribute(name, "BytesSent")).isEqualTo(scraped.outbound);
            assertThat(mbeans.getAttribute(name, "Requests")).isEqualTo(scraped.requests);
            CompositeData jobs = ((TabularData) mbeans.getAttribute(name, "Endpoints")).get(new Object[] {"/jobs"});
            assertThat(jobs.get("requests")).isEqualTo(11L);
            assertThat(mbeans.getMBeanInfo(name).getAttributes()).isNotEmpty();
        }
    }

    @Test
    @Order(7)
    void prometheusScrapesTheStack() throws Exception {
        Await.until("Prometheus to have scraped the master's requests", () -> {
            try {
                String answer = Shell.run(work, Map.of(), "curl -s 'http://127.0.0.1:" + stack.prometheusPort
                        + "/api/v1/query?query=scheduler_http_requests_total'", 30).output();
                return answer.contains("\"handler\":\"master\"") && answer.contains("\"job\":\"scheduler-master\"");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    @Order(8)
    void startingTwiceIsSafe() throws Exception {
        String pid = Files.readString(work.resolve("state/run/master.pid")).trim();
        Shell.Result again = stack.script("start");

        assertThat(again.exitCode()).as(again.output()).isZero();
        assertThat(again.output()).contains("The master already runs (pid " + pid + ")", "Prometheus already runs");
        assertThat(stack.script("status").output()).contains("master:     running, pid " + pid);
    }

    @Test
    @Order(9)
    void artifactsAboveUndertowsDefaultEntityLimitAreStoredOverBothProtocols() throws Exception {
        Files.write(work.resolve("three-mib.bin"), BodyCountingTest.filled(3 << 20));
        for (String protocol : List.of("--http1.1", "--http2")) {
            assertThat(curl(protocol + " -T three-mib.bin -o /dev/null -w '%{http_code} %{http_version}' "
                    + stack.masterUrl("/artifacts/three-mib.bin"))).isIn("201 1.1", "201 2");
            assertThat(work.resolve("state/artifacts/three-mib.bin")).hasSize(3 << 20);
        }
    }

    @Test
    @Order(10)
    void aCutHttp2UploadNeverReplacesTheStoredArtifact() throws Exception {
        Files.write(work.resolve("keep.bin"), BodyCountingTest.filled(1_000_000));
        assertThat(curl("-T keep.bin -o /dev/null -w '%{http_code}' " + stack.masterUrl("/artifacts/keep.bin")))
                .isEqualTo("201");
        // curl announces the whole 3 MiB, sends about 1 MB, then gives up and resets the stream.
        Shell.Result cut = Shell.run(work, Map.of(), "source .env && curl -sk --http2 -H \"Authorization: Bearer "
                + "$MASTER_API_KEY\" --limit-rate 1M --max-time 1 -T three-mib.bin -o /dev/null "
                + stack.masterUrl("/artifacts/keep.bin"), 60);
        assertThat(cut.exitCode()).as("curl gave up: " + cut.output()).isEqualTo(28);
        // The handler deletes its partial file whatever happens: once none is left, it has decided.
        Path artifacts = work.resolve("state/artifacts");
        Await.until("the cut upload's partial file to be gone", () -> {
            try (var files = Files.list(artifacts)) {
                return files.noneMatch(f -> f.getFileName().toString().endsWith(".part"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(artifacts.resolve("keep.bin")).hasBinaryContent(BodyCountingTest.filled(1_000_000));

        // The case seen before: Undertow itself cut a 3 MiB HTTP/2 upload at its 2 MiB default entity limit, the
        // reader saw a clean end, and the first 2 MiB replaced the artifact. Now: stored whole, or not at all.
        // Whatever curl makes of it (a reset stream is an error for curl), the file must be whole or untouched.
        Shell.run(work, Map.of(), "source .env && curl -sk --http2 -H \"Authorization: Bearer $MASTER_API_KEY\" "
                + "-T three-mib.bin -o /dev/null " + stack.masterUrl("/artifacts/keep.bin"), 60);
        byte[] kept = Files.readAllBytes(artifacts.resolve("keep.bin"));
        assertThat(kept.length).as("keep.bin after a 3 MiB upload over HTTP/2").isIn(1_000_000, 3 << 20);
        assertThat(kept).isEqualTo(BodyCountingTest.filled(kept.length));
    }

    /**
     * A body with no length announced (HTTP/2 without Content-Length, HTTP/1.1 chunked) past ARTIFACT_MAX_BYTES: it
     * was cut by Undertow's entity limit, which an HTTP/2 reader saw as a clean end, and the cut file could replace
     * the artifact. Now the client gets 413 (up to 1 MiB past the limit; beyond, the connection or the stream is
     * cut) and the artifact stays as it was.
     */
    @Test
    @Order(10)
    void anUnannouncedUploadPastTheLimitIs413AndReplacesNothing() throws Exception {
        Files.write(work.resolve("over.bin"), BodyCountingTest.filled(4_000_000 + 1000));
        Files.write(work.resolve("far-over.bin"), BodyCountingTest.filled(6_000_000));
        Files.write(work.resolve("stays.bin"), BodyCountingTest.filled(500_000));
        assertThat(curl("-T stays.bin -o /dev/null -w '%{http_code}' " + stack.masterUrl("/artifacts/stays.bin")))
                .isEqualTo("201");
        for (String protocol : List.of("--http2", "--http1.1")) {
            for (String body : List.of("over.bin", "far-over.bin")) {
                // -T - reads standard input: curl cannot announce a length.
                Shell.Result over = Shell.run(work, Map.of(), "source .env && curl -sk " + protocol + " -H "
                        + "\"Authorization: Bearer $MASTER_API_KEY\" -T - -o /dev/null -w '%{http_code}' "
                        + stack.masterUrl("/artifacts/stays.bin") + " < " + body, 60);
                assertThat(work.resolve("state/artifacts/stays.bin")).as(protocol + " " + body)
                        .hasBinaryContent(BodyCountingTest.filled(500_000));
                assertThat(over.output()).as(protocol + " " + body).isIn(body.equals("over.bin")
                        ? List.of("413") : List.of("413", "000"));
            }
        }
    }

    @Test
    @Order(11)
    void routeParametersComeFromTheRouteNotTheQueryString() throws Exception {
        String first = curl("-X POST -d '{\"name\":\"a\",\"command\":\"true\"}' " + stack.masterUrl("/jobs"));
        String second = curl("-X POST -d '{\"name\":\"b\",\"command\":\"true\"}' " + stack.masterUrl("/jobs"));
        String firstId = first.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
        String secondId = second.replaceAll("(?s).*\"id\":(\\d+).*", "$1");

        assertThat(curl("-X DELETE -o /dev/null -w '%{http_code}' '" + stack.masterUrl("/jobs/" + firstId + "?id=" + secondId) + "'"))
                .startsWith("2");
        assertThat(curl("-o /dev/null -w '%{http_code}' " + stack.masterUrl("/jobs/" + firstId))).isEqualTo("404");
        assertThat(curl("-o /dev/null -w '%{http_code}' " + stack.masterUrl("/jobs/" + secondId))).isEqualTo("200");

        assertThat(curl("-T keep.bin -o /dev/null -w '%{http_code}' '" + stack.masterUrl("/artifacts/a.bin?name=b.bin") + "'"))
                .isEqualTo("201");
        assertThat(work.resolve("state/artifacts/a.bin")).exists();
        assertThat(work.resolve("state/artifacts/b.bin")).doesNotExist();
    }

    /** The guide's commands for the example stack, as written (ports moved): a job, an upload, a download. */
    @Test
    @Order(11)
    void theGuidesExampleCommandsWorkAsWritten() throws Exception {
        String guide = Files.readString(Path.of("docs/BANDWIDTH_MONITORING.md"));
        java.util.regex.Matcher block = java.util.regex.Pattern
                .compile("(?s)<!-- example-stack-commands -->\n```bash\n(.*?)```").matcher(guide);
        assertThat(block.find()).as("the guide's example-stack-commands block").isTrue();
        Shell.Result result = Shell.run(work, Map.of(), "set -e\n" + block.group(1)
                .replace("8080", Integer.toString(stack.masterPort))
                .replace("9090", Integer.toString(stack.metricsPort)), 120);
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("\"name\":\"nightly\"", "\"command\":\"backup.sh\"")
                .containsPattern("scheduler_http_client_bandwidth_bytes_total\\{[^}]*client=\"worker-7\""
                        + "[^}]*direction=\"inbound\"[^}]*} 3000000(\\.0)?\\n|direction=\"inbound\"[^}]*client=\"worker-7\""
                        + "[^}]*} 3000000");
    }

    /**
     * An artifact replaced while it is downloaded: every download is one version whole, or fails; never a body
     * other than its Content-Length, which a kept-alive HTTP/1.1 connection reads as the start of the next answer.
     * Found by hand with Node.js (parse errors and cut answers under concurrent PUTs and GETs of one name): Undertow's
     * ResourceHandler took the length from the file's path, then opened the path again, and a PUT in between had
     * put a file of another length there (bare Undertow does the same).
     */
    @Test
    @Order(12)
    void anArtifactReplacedWhileItIsDownloadedIsServedWholeInOneVersion() throws Exception {
        byte[] small = new byte[4_000];
        byte[] big = new byte[6_000];
        Arrays.fill(small, (byte) 'a');
        Arrays.fill(big, (byte) 'b');
        URI uri = URI.create(stack.masterUrl("/artifacts/replaced.bin"));
        String key = Files.readAllLines(work.resolve(".env")).stream().filter(l -> l.startsWith("MASTER_API_KEY="))
                .findFirst().orElseThrow().substring("MASTER_API_KEY=".length());
        SSLContext tls = trustingTheMaster();
        var http1 = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1).build();
        var http2 = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_2).build();
        Function<byte[], HttpRequest> put = body -> HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + key)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpRequest get = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + key).build();
        assertThat(http1.send(put.apply(small), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(201);

        var stop = new AtomicBoolean();
        var uploads = new AtomicInteger();
        // Two uploaders, each sending both versions in turn: many replacements a second.
        List<Thread> uploaders = new ArrayList<>();
        for (int u = 0; u < 2; u++) {
            byte[] first = u == 0 ? small : big;
            byte[] second = u == 0 ? big : small;
            Thread uploader = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    try {
                        // Only a stored upload (201) replaced the file.
                        if (http1.send(put.apply(i % 2 == 0 ? first : second),
                                HttpResponse.BodyHandlers.discarding()).statusCode() == 201) {
                            uploads.incrementAndGet();
                        }
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            uploader.start();
            uploaders.add(uploader);
        }
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        var pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> downloaders = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                var client = t % 2 == 0 ? http1 : http2;
                downloaders.add(pool.submit(() -> {
                    for (int i = 0; i < 1_000; i++) {
                        try {
                            var response = client.send(get, HttpResponse.BodyHandlers.ofByteArray());
                            byte[] body = response.body();
                            if (response.statusCode() != 200 || !(Arrays.equals(body, small) || Arrays.equals(body, big))) {
                                failures.add(response.version() + ": " + response.statusCode() + ", " + body.length
                                        + " bytes of Content-Length " + response.headers().firstValue("Content-Length")
                                        .orElse("none"));
                            }
                        } catch (IOException e) {
                            failures.add(client.version() + ": " + e);
                        }
                    }
                    return null;
                }));
            }
            for (var downloader : downloaders) {
                downloader.get(120, TimeUnit.SECONDS);
            }
        } finally {
            stop.set(true);
            pool.shutdownNow();
            for (Thread uploader : uploaders) {
                uploader.join(30_000);
            }
        }
        assertThat(uploads.get()).as("replacements during the downloads").isGreaterThan(100);
        assertThat(failures).as("downloads that were not one version whole").isEmpty();
    }

    /** A client context that trusts the master's self-signed certificate (its key store holds it, for 127.0.0.1). */
    private static SSLContext trustingTheMaster() throws Exception {
        Path tls = work.resolve("state/tls");
        char[] password = Files.readString(tls.resolve("master.p12.password")).trim().toCharArray();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(tls.resolve("master.p12"))) {
            store.load(in, password);
        }
        var trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    @Test
    @Order(12)
    void deeplyNestedJsonIsABadRequestThatSaysWhy() throws Exception {
        Files.writeString(work.resolve("deep.json"), "[".repeat(60_000));
        String answer = curl("-X POST --data-binary @deep.json -w ' %{http_code}' " + stack.masterUrl("/jobs"));
        assertThat(answer).endsWith(" 400").contains("nest deeper than 64 levels");
    }

    @Test
    @Order(13)
    void twoStartsAtOnceNeverTripOverEachOther() throws Exception {
        // From a stopped stack, where both would otherwise start a master on the same ports.
        assertThat(stack.script("stop").exitCode()).isZero();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var a = pool.submit(() -> stack.script("start"));
            var b = pool.submit(() -> stack.script("start"));
            for (Shell.Result r : List.of(a.get(), b.get())) {
                assertThat(r.output()).doesNotContain("BindException", "Address already in use");
                if (r.exitCode() != 0) {
                    assertThat(r.output()).contains("is in progress; wait for it to finish");
                } else {
                    assertThat(r.output()).contains("The stack runs.");
                }
            }
        } finally {
            pool.shutdown();
        }
        Shell.Result again = stack.script("start");
        assertThat(again.exitCode()).as("the lock is let go after a start: " + again.output()).isZero();
        assertThat(again.output()).contains("The master already runs");
    }

    @Test
    @Order(14)
    void aConsoleSeesTheEndpointTreeSizesTransfersInFlightAndWireBytesOfTheLiveMaster() throws Exception {
        Files.write(work.resolve("two-mib.bin"), BodyCountingTest.filled(2 << 20));
        assertThat(curl("-T two-mib.bin -o /dev/null -w '%{http_code}' " + stack.masterUrl("/artifacts/two-mib.bin")))
                .isEqualTo("201");
        try (JMXConnector connector = attachToMaster()) {
            MBeanServerConnection mbeans = connector.getMBeanServerConnection();
            ObjectName master = new ObjectName("io.github.httpbandwidth:type=BandwidthStats,name=master");
            ObjectName transfers = new ObjectName(
                    "io.github.httpbandwidth.console:name=master,view=TransfersInFlight");
            ObjectName sizes = new ObjectName("io.github.httpbandwidth.console:name=master,view=Sizes");

            // A slow upload at 256 kB/s: about 8 s, listed once past the 1 MiB threshold. (A download of this size
            // is no use here: on loopback the socket buffers take a few MB at once, so the server is done writing
            // long before curl is done reading; InFlightTest holds a download mid-transfer instead.)
            Process upload = new ProcessBuilder("bash", "-c", "source .env && curl -sk -H \"Authorization: Bearer "
                    + "$MASTER_API_KEY\" --limit-rate 256k -T two-mib.bin -o /dev/null "
                    + stack.masterUrl("/artifacts/slow-upload.bin")).directory(work.toFile()).start();
            try {
                Await.until("an upload in flight past 1 MiB", () -> {
                    List<CompositeData> rows = transfers(mbeans, transfers);
                    return rows.size() == 1 && (long) rows.get(0).get("bytes") >= 1 << 20;
                }, () -> transfers(mbeans, transfers).toString());
                CompositeData row = transfers(mbeans, transfers).get(0);
                assertThat(row.get("endpoint")).isEqualTo("/artifacts/{name}");
                assertThat(row.get("direction")).isEqualTo("inbound");
                assertThat((long) row.get("bytes")).isBetween(1L << 20, 2L << 20).isEqualTo(row.get("bytesReceived"));
                // The master records request start times, so the age is the request's: over 4 s at 256 kB/s.
                assertThat(row.get("timedFrom")).isEqualTo("request start");
                assertThat((double) row.get("secondsOpen")).isGreaterThan(3.0);
                assertThat((double) row.get("bytesPerSecond")).isBetween(1.0, 1e9);
                assertThat((String) row.get("client")).startsWith("127.0.0.1:");
            } finally {
                assertThat(upload.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            }
            Await.until("no transfer in flight", () -> transfers(mbeans, transfers).isEmpty());

            // The endpoint tree: each row an MBean under the master's, agreeing with the Endpoints table.
            ObjectName artifacts = new ObjectName(
                    "io.github.httpbandwidth.console:name=master,view=Endpoints,endpoint=/artifacts/{name}");
            // The Endpoints table, which the exporter reads, shows the row once its hold has passed.
            Await.until("the Endpoints row of /artifacts/{name} past its hold", ROW_HOLD_AND_MORE,
                    () -> endpointRow(mbeans, master).get("requests").equals(2L));
            CompositeData row = endpointRow(mbeans, master);
            assertThat(mbeans.getAttribute(artifacts, "Requests")).isEqualTo(row.get("requests")).isEqualTo(2L);
            assertThat(mbeans.getAttribute(artifacts, "BytesReceived")).isEqualTo(row.get("bytesReceived"))
                    .isEqualTo(2L * (2 << 20));
            assertThat(mbeans.getAttribute(artifacts, "BytesSent")).isEqualTo(row.get("bytesSent"));
            assertThat((double) mbeans.getAttribute(artifacts, "BytesReceivedPerSecond1m")).isPositive();
            assertThat(mbeans.queryNames(new ObjectName("io.github.httpbandwidth.console:name=master,view=Endpoints,*"), null))
                    .hasSizeGreaterThanOrEqualTo(3);

            // Sizes: the largest bodies exactly; the 99th percentile capped by them.
            assertThat(mbeans.getAttribute(sizes, "RequestSizeMaxBytes")).isEqualTo(2L << 20);
            assertThat(mbeans.getAttribute(sizes, "RequestSizeMaxBytes1m")).isEqualTo(2L << 20);
            assertThat((double) mbeans.getAttribute(sizes, "RequestSizeP99Bytes")).isBetween(1.0, 2.0 * (1 << 20));

            // Wire bytes of the master's listener beside the body bytes: more, by the headers and framing.
            Set<ObjectName> listeners = mbeans.queryNames(
                    new ObjectName("io.github.httpbandwidth:name=master,listener=*,*"), null);
            assertThat(listeners).hasSize(1);
            ObjectName listener = listeners.iterator().next();
            assertThat(listener.getKeyProperty("listener")).isEqualTo("https-127.0.0.1-" + stack.masterPort);
            assertThat((long) mbeans.getAttribute(listener, "WireBytesReceived"))
                    .isGreaterThan((long) mbeans.getAttribute(master, "BytesReceived"));
            assertThat((long) mbeans.getAttribute(listener, "WireBytesSent"))
                    .isGreaterThan((long) mbeans.getAttribute(master, "BytesSent"));
            assertThat(mbeans.getAttribute(listener, "Requests")).isEqualTo(mbeans.getAttribute(master, "Requests"));
        }
    }

    @SuppressWarnings("unchecked")
    private static List<CompositeData> transfers(MBeanServerConnection mbeans, ObjectName view) {
        try {
            return new java.util.ArrayList<>((java.util.Collection<CompositeData>)
                    ((TabularData) mbeans.getAttribute(view, "TransfersInFlight")).values());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Attaches to the master as JConsole does: the Attach API starts its local JMX agent. */
    private static JMXConnector attachToMaster() throws Exception {
        String pid = Files.readString(work.resolve("state/run/master.pid")).trim();
        VirtualMachine vm = VirtualMachine.attach(pid);
        String address;
        try {
            address = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        return JMXConnectorFactory.connect(new JMXServiceURL(address));
    }

    private static String curl(String args) throws Exception {
        return stack.curl(args);
    }

    private static CompositeData endpointRow(MBeanServerConnection mbeans, ObjectName master) {
        try {
            return ((TabularData) mbeans.getAttribute(master, "Endpoints")).get(new Object[] {"/artifacts/{name}"});
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static double metric(String name, Map<String, String> labels) {
        return stack.metric(name, labels);
    }

    private record Totals(long inbound, long outbound, long requests) {
        static Totals read() {
            return new Totals(
                    (long) metric("scheduler_http_bandwidth_bytes_total", Map.of("direction", "inbound")),
                    (long) metric("scheduler_http_bandwidth_bytes_total", Map.of("direction", "outbound")),
                    (long) metric("scheduler_http_requests_total", Map.of()));
        }

        static Totals awaitRequests(long requests) {
            Await.until(requests + " requests on the master", () -> read().requests >= requests);
            return read();
        }
    }
}
