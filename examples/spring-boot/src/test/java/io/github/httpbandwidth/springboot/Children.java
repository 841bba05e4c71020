package io.github.httpbandwidth.springboot;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** What the example's tests do with the processes they start: curl, Prometheus, the application under an agent. */
final class Children {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern SIZES = Pattern.compile("(\\d+) (\\d+) (\\d+)");

    private Children() {
    }

    /** curl's status, bytes uploaded and bytes downloaded, for {@code path} on 127.0.0.1:{@code port}. */
    static long[] curl(int port, String path, Path upload) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-s", "-o", "/dev/null", "-w",
                "%{http_code} %{size_upload} %{size_download}"));
        if (upload != null) {
            command.addAll(List.of("-H", "Content-Type: application/octet-stream", "--data-binary", "@" + upload));
        }
        command.add("http://127.0.0.1:" + port + path);
        Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(curl.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Matcher m = SIZES.matcher(out);
        assertThat(m.matches()).as("curl said " + out).isTrue();
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))};
    }

    /** Stops a process this test started, if any: asked first, then forced. */
    static void stop(Process process) throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    /** A GET of {@code path} on 127.0.0.1:{@code port}; null when nothing answers there (yet). */
    static HttpResponse<String> get(int port, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
