package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthSnapshot;
import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.testapp.TestApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Boot's HTTPS with HTTP/2 ({@code server.ssl.*}, {@code server.http2.enabled}): h2 by ALPN from the JDK client
 * (several streams on one connection) and from curl. The bodies count as the application sent and received them,
 * before TLS, each once, on its route and on the one client.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "server.http2.enabled=true", "bandwidth.name=h2-tls",
                "bandwidth.row-hold=0s"})
class Http2TlsTest {

    private static final String PASSWORD = "changeit";
    private static Path keys;

    @LocalServerPort
    int port;
    @Autowired
    BandwidthStats stats;

    /** A self-signed key for 127.0.0.1, made by the JDK's keytool before the application starts. */
    @DynamicPropertySource
    static void tls(DynamicPropertyRegistry registry) throws Exception {
        keys = Files.createTempDirectory("h2-tls");
        Path store = keys.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
                .redirectErrorStream(true).start();
        String said = new String(keytool.getInputStream().readAllBytes());
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0).as(said).isTrue();
        registry.add("server.ssl.key-store", store::toString);
        registry.add("server.ssl.key-store-type", () -> "PKCS12");
        registry.add("server.ssl.key-store-password", () -> PASSWORD);
        registry.add("server.ssl.key-alias", () -> "server");
    }

    @AfterAll
    static void removeKeys() throws Exception {
        if (keys == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(keys)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void h2OverTlsCountsEveryBodyOnceOnItsRouteAndClient() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(trusting()).build();
        long received = 0;
        long sent = 0;
        for (int size : new int[] {1, 65_537, 1_000_000}) {
            HttpResponse<String> upload = client.send(HttpRequest.newBuilder(uri("/artifacts/t" + size))
                    .header("Content-Type", "application/octet-stream")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[size])).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(upload.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(upload.body()).isEqualTo("n=" + size);
            received += size;
            sent += upload.body().length();
        }
        for (int i = 0; i < 3; i++) {
            HttpResponse<byte[]> job = client.send(HttpRequest.newBuilder(uri("/jobs/" + i)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(job.version()).isEqualTo(HttpClient.Version.HTTP_2);
            sent += job.body().length;
        }
        HttpResponse<byte[]> conflict = client.send(HttpRequest.newBuilder(uri("/jobs/conflict")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(conflict.statusCode()).isEqualTo(409);
        sent += conflict.body().length;
        assertThat(Curl.run("-k", "--http2", "-o", "/dev/null", "-w", "%{http_version} %{size_download}",
                uri("/jobs/curl").toString())).isEqualTo("2 1000");
        sent += 1000;

        BandwidthSnapshot s = Await.completed(stats, 8);
        assertThat(s.bytesReceived()).isEqualTo(received);
        assertThat(s.bytesSent()).isEqualTo(sent);
        assertThat(s.endpoint("/artifacts/{name}").requests()).isEqualTo(3);
        assertThat(s.endpoint("/artifacts/{name}").bytesReceived()).isEqualTo(received);
        assertThat(s.endpoint("/jobs/{id}").requests()).isEqualTo(5);
        assertThat(s.endpoint("/jobs/{id}").bytesSent()).isEqualTo(4 * 1000 + conflict.body().length);
        assertThat(s.client("127.0.0.1").requests()).isEqualTo(8);
        assertThat(s.client("127.0.0.1").bytesReceived()).isEqualTo(received);
        assertThat(s.client("127.0.0.1").bytesSent()).isEqualTo(sent);
    }

    /** Trusts the key made above, and nothing else. */
    private static SSLContext trusting() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keys.resolve("server.p12"))) {
            store.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private URI uri(String path) {
        return URI.create("https://127.0.0.1:" + port + path);
    }
}
