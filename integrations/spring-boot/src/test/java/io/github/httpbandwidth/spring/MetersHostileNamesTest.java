package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthHandler;
import io.github.httpbandwidth.BandwidthSnapshot;
import io.github.httpbandwidth.BandwidthStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.undertow.Undertow;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Route names with every character an ObjectName value cannot hold as it is (quotes, commas, equals signs, colons,
 * asterisks, question marks, backslashes, a line feed) become exactly their rows' {@code http.route} tags, never
 * another row's, whether the meters were bound before the rows came (from the MBeans' registrations) or after (from a
 * query); each meter reads its own row's bytes.
 */
class MetersHostileNamesTest {

    /** The names the classifier gives, by the query parameter {@code r}: as hostile as an application could be. */
    private static final List<String> NAMES = List.of("/a,b=c", "\"quoted\"", "\"", "*", "?x", "back\\slash",
            "line\nfeed", ":colon", "plain", "/jobs/{id}", "üñí", "a\"b", "\\\"", "x,endpoint=y");

    @Test
    void everyHostileRouteNameIsItsOwnTagExactly() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("meters-hostile").rowHold(java.time.Duration.ZERO)
                .classifier(exchange -> exchange.getQueryParameters().get("r").getFirst()).build();
        stats.registerMBean(ManagementFactory.getPlatformMBeanServer());
        Undertow server = Undertow.builder().addHttpListener(0, "127.0.0.1")
                .setHandler(BandwidthHandler.wrapper(stats).wrap(exchange -> exchange.getResponseSender()
                        .send("x".repeat(Integer.parseInt(exchange.getQueryParameters().get("n").getFirst())))))
                .build();
        server.start();
        SimpleMeterRegistry before = new SimpleMeterRegistry();
        SimpleMeterRegistry after = new SimpleMeterRegistry();
        try (BandwidthMeters meters = new BandwidthMeters(stats, ManagementFactory.getPlatformMBeanServer())) {
            meters.bindTo(before);
            int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
            HttpClient client = HttpClient.newHttpClient();
            Map<String, Long> expected = new TreeMap<>();
            for (int i = 0; i < NAMES.size(); i++) {
                String query = "r=" + URLEncoder.encode(NAMES.get(i), StandardCharsets.UTF_8) + "&n=" + (100 + i);
                HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/?" + query)).build(), HttpResponse.BodyHandlers.ofByteArray());
                // The row of a name with a line feed has "?" there (control characters never reach a reader).
                expected.put(NAMES.get(i).replace('\n', '?'), (long) response.body().length);
            }
            BandwidthSnapshot s = Await.completed(stats, NAMES.size());
            meters.bindTo(after);
            for (SimpleMeterRegistry registry : List.of(before, after)) {
                Map<String, Long> seen = new TreeMap<>();
                for (FunctionCounter counter : registry.find("undertow.bandwidth.route.body.io")
                        .tag("network.io.direction", "transmit").functionCounters()) {
                    String route = counter.getId().getTag("http.route");
                    if (!route.startsWith("(")) {
                        seen.put(route, Math.round(counter.count()));
                    }
                }
                assertThat(seen).isEqualTo(expected);
            }
            for (String name : expected.keySet()) {
                assertThat(s.endpoint(name).bytesSent()).isEqualTo(expected.get(name));
            }
        } finally {
            server.stop();
            stats.close();
        }
    }
}
