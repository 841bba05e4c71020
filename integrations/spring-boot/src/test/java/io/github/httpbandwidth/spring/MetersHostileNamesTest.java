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
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.LockSupport;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Route names with every character an ObjectName value cannot hold as it is (quotes, commas, equals signs, colons,
 * asterisks, question marks, backslashes, a line feed) become exactly their rows' {@code http.route} tags, never
 * another row's, whether the meters were bound before the rows came (from the MBeans' registrations) or after (from a
 * query); each meter reads its own row's bytes. And client meters follow the top-clients table as clients come and go.
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

    /**
     * Clients that leave the top-clients table take their meters with them (their MBeans are unregistered), so the
     * client meters are always exactly the table's rows; and as with the OpenTelemetry agent's series, what the
     * meters show now plus what each departed client's meter showed last add up to every exchange.
     */
    @Test
    void clientMetersFollowTheTableAsClientsComeAndGo() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("meters-churn").rowHold(java.time.Duration.ZERO)
                .clientKey(io.github.httpbandwidth.ClientKey.header("X-Worker-Id")).clientCapacity(3).build();
        stats.registerMBean(ManagementFactory.getPlatformMBeanServer());
        Undertow server = Undertow.builder().addHttpListener(0, "127.0.0.1")
                .setHandler(BandwidthHandler.wrapper(stats).wrap(exchange -> exchange.getResponseSender().send("z")))
                .build();
        server.start();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (BandwidthMeters meters = new BandwidthMeters(stats, ManagementFactory.getPlatformMBeanServer())) {
            meters.bindTo(registry);
            int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
            HttpClient client = HttpClient.newHttpClient();
            int sent = 0;
            Map<String, Double> lastSeen = new TreeMap<>();
            double departed = 0;
            for (int round = 0; round < 4; round++) {
                // Each round a new set of workers, each busier than the last round's.
                for (int worker = 0; worker < 5; worker++) {
                    for (int i = 0; i <= worker + round * 5; i++) {
                        client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                                .header("X-Worker-Id", "r" + round + "-w" + worker).build(),
                                HttpResponse.BodyHandlers.discarding());
                        sent++;
                    }
                }
                Await.completed(stats, sent);
                // A collection (every meter read, as a registry's step does) on a snapshot taken after these exchanges
                // (one is at most a second old) brings the client rows' MBeans, and so their meters, up to date with
                // the table: collect until it has, 20 s at most.
                long deadline = System.nanoTime() + 20_000_000_000L;
                Set<String> table;
                Map<String, Double> now;
                double gone;
                do {
                    LockSupport.parkNanos(50_000_000);
                    registry.getMeters().forEach(meter -> meter.measure().forEach(m -> m.getValue()));
                    table = new TreeSet<>();
                    for (var row : stats.snapshot().clients()) {
                        table.add(row.client());
                    }
                    table.remove("(departed)");
                    now = new TreeMap<>();
                    for (FunctionCounter counter : registry.find("undertow.bandwidth.client.requests")
                            .functionCounters()) {
                        now.put(counter.getId().getTag("client"), counter.count());
                    }
                    gone = departed;
                    for (Map.Entry<String, Double> before : lastSeen.entrySet()) {
                        if (!now.containsKey(before.getKey())) {
                            gone += before.getValue();
                        }
                    }
                } while ((!now.keySet().equals(table)
                        || now.values().stream().mapToDouble(Double::doubleValue).sum() + gone != sent)
                        && System.nanoTime() < deadline);
                departed = gone;
                lastSeen = now;
                assertThat(now.keySet()).as("round " + round).isEqualTo(table);
                assertThat(now.values().stream().mapToDouble(Double::doubleValue).sum() + departed)
                        .as("round " + round).isEqualTo(sent);
            }
        } finally {
            server.stop();
            stats.close();
        }
    }
}
