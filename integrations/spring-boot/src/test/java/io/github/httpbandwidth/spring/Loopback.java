package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthSnapshot;
import io.github.httpbandwidth.StatusClassSnapshot;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The tests' requests to the application on 127.0.0.1, and what they compare them with. */
final class Loopback {

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private Loopback() {
    }

    /** A GET that must answer {@code status}; the size of the body the client received. */
    static long get(int port, String path, int status) throws Exception {
        HttpResponse<byte[]> response = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).as(path).isEqualTo(status);
        return response.body().length;
    }

    /** A POST of {@code body} that must answer {@code status}; the size of the body the client received. */
    static long post(int port, String path, byte[] body, int status) throws Exception {
        HttpResponse<byte[]> response = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).as(path).isEqualTo(status);
        return response.body().length;
    }

    /**
     * A WebSocket to an echo handler at {@code path} that has sent ten text messages of 1,000 characters and had them
     * all back; still open. Each of its frames is 1,008 B (2 B of header, 2 B of extended length, a 4 B mask), each
     * echo 1,004 B (no mask).
     */
    static WebSocket echoTen(int port, String path) throws Exception {
        CountDownLatch echoed = new CountDownLatch(10);
        AtomicLong echoedChars = new AtomicLong();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + path), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        echoedChars.addAndGet(data.length());
                        if (last) {
                            echoed.countDown();
                        }
                        webSocket.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 10; i++) {
            socket.sendText("w".repeat(1000), true).get(10, TimeUnit.SECONDS);
        }
        assertThat(echoed.await(10, TimeUnit.SECONDS)).as("ten echoes").isTrue();
        assertThat(echoedChars).hasValue(10_000);
        return socket;
    }

    /** The rows that counted a request, each with the body bytes it sent. */
    static Map<String, Long> bytesSentByRow(BandwidthSnapshot snapshot) {
        Map<String, Long> rows = new TreeMap<>();
        snapshot.endpoints().stream().filter(row -> row.requests() > 0)
                .forEach(row -> rows.put(row.endpoint(), row.bytesSent()));
        return rows;
    }

    /** The rows' status classes that counted a request ({@code "/jobs/{id} 5xx"}), each with its requests. */
    static Map<String, Long> statusClasses(BandwidthSnapshot snapshot) {
        Map<String, Long> classes = new TreeMap<>();
        for (StatusClassSnapshot row : snapshot.statusClasses()) {
            if (row.requests() > 0) {
                classes.put(row.endpoint() + " " + row.statusClass(), row.requests());
            }
        }
        return classes;
    }
}
