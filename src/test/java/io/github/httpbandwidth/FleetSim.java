package io.github.httpbandwidth;

import com.sun.net.httpserver.HttpServer;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The fleet simulation's two halves (examples/benchmarks/fleet-sim.sh; a benchmark, not a test):
 * <ul>
 *   <li>{@code record DIR}: real scrapes of one master by the real agent with the shipped rules, written to
 *   {@code DIR/full.prom} (the default caps full: 256 endpoints x 2 status classes, 50 clients) and
 *   {@code DIR/typical.prom} (12 endpoints, 2 of them with 4xx too, 8 clients), with their series counted by
 *   family;</li>
 *   <li>{@code serve TEMPLATE FIRST_PORT N SECONDS}: N synthetic instances on 127.0.0.1, ports FIRST_PORT to
 *   FIRST_PORT+N-1, each serving the recorded scrape with values of its own (scaled per instance; counters, buckets,
 *   sums and counts growing with every scrape it answers, so rate() has something to show and buckets stay
 *   cumulative). It stops itself after SECONDS.</li>
 *   <li>{@code queries URL RANGE_SECONDS}: every query of the shipped dashboard (panels and variables), as Grafana
 *   sends it for the last RANGE_SECONDS (query_range, 15 s step, $__range the whole range), against the Prometheus
 *   API at URL, each timed three times; prints the median per query, slowest first, and the sum.</li>
 * </ul>
 */
public final class FleetSim {

    private FleetSim() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("record")) {
            record(Path.of(args[1]));
        } else if (args.length == 5 && args[0].equals("serve")) {
            serve(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
        } else if (args.length == 3 && args[0].equals("queries")) {
            queries(args[1], Integer.parseInt(args[2]));
        } else {
            System.err.println("usage: FleetSim record DIR | FleetSim serve TEMPLATE FIRST_PORT N SECONDS"
                    + " | FleetSim queries PROMETHEUS_API_URL RANGE_SECONDS");
            System.exit(2);
        }
    }

    private static void record(Path dir) throws Exception {
        Files.createDirectories(dir);
        Path config = Path.of("jmx-exporter-config.yaml");
        int cap = BandwidthStats.DEFAULT_ENDPOINT_CAP;
        try (AgentJvm app = AgentJvm.start(new AgentJvm.Launch("master", cap, ClientTable.DEFAULT_CAPACITY, config, "0"))) {
            HttpClient client = HttpClient.newHttpClient();
            for (int i = 0; i < cap; i++) {
                for (String path : new String[] {"/small", "/no-such-route"}) {
                    send(client, app, path, "/endpoint/" + i, "worker-" + (i % 60));
                }
            }
            write(dir.resolve("full.prom"), app);
        }
        try (AgentJvm app = AgentJvm.start(new AgentJvm.Launch("master", cap, ClientTable.DEFAULT_CAPACITY, config, "0"))) {
            HttpClient client = HttpClient.newHttpClient();
            for (int round = 0; round < 20; round++) {
                for (int i = 0; i < 12; i++) {
                    send(client, app, "/small", "/endpoint/" + i, "worker-" + ((round + i) % 8));
                }
                send(client, app, "/no-such-route", "/endpoint/0", "worker-" + (round % 8));
                send(client, app, "/no-such-route", "/endpoint/1", "worker-" + (round % 8));
            }
            write(dir.resolve("typical.prom"), app);
        }
    }

    private static void send(HttpClient client, AgentJvm app, String path, String endpoint, String worker)
            throws Exception {
        client.send(HttpRequest.newBuilder(URI.create(app.httpBase() + path))
                .header(HeaderClassifier.HEADER.toString(), endpoint).header("X-Worker-Id", worker).build(),
                HttpResponse.BodyHandlers.discarding());
    }

    /** Waits until every exchange is on the scrape (the totals stop moving), then writes it and counts its series. */
    private static void write(Path file, AgentJvm app) throws Exception {
        String text = app.scrape();
        for (int i = 0; i < 50; i++) {
            Thread.sleep(100);
            String again = app.scrape();
            if (Exposition.parse(again).value("scheduler_http_requests_total", Map.of("handler", "master"))
                    == Exposition.parse(text).value("scheduler_http_requests_total", Map.of("handler", "master"))) {
                text = again;
                break;
            }
            text = again;
        }
        Files.writeString(file, text);
        Map<String, Integer> families = new TreeMap<>();
        int all = 0;
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            all++;
            String name = line.substring(0, line.indexOf(line.contains("{") ? '{' : ' '));
            String family = name.startsWith("scheduler_http_endpoint_status") ? "endpoint x status class"
                    : name.startsWith("scheduler_http_endpoint") ? "endpoint"
                    : name.startsWith("scheduler_http_client") ? "client"
                    : name.matches("scheduler_http_(request|response)_size_bytes(_bucket|_sum|_count)?") ? "histogram"
                    : name.startsWith("scheduler_http") ? "other scheduler_http_*"
                    : "agent and JVM (jmx_*, jvm_*, process_*)";
            families.merge(family, 1, Integer::sum);
        }
        System.out.printf("%s: %d series%n", file, all);
        families.forEach((family, n) -> System.out.printf("  %-40s %6d%n", family, n));
    }

    private static void serve(Path template, int firstPort, int instances, int seconds) throws Exception {
        // Per line: a comment as it is (prefix null), or a sample's "name{labels} " and its recorded value.
        List<String> lines = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        List<Double> bases = new ArrayList<>();
        List<Boolean> growing = new ArrayList<>();
        for (String line : Files.readAllLines(template)) {
            if (line.isEmpty()) {
                continue;
            }
            lines.add(line);
            if (line.startsWith("#")) {
                prefixes.add(null);
                bases.add(0.0);
                growing.add(false);
                continue;
            }
            int space = line.lastIndexOf(' ');
            String name = line.substring(0, line.indexOf(line.contains("{") ? '{' : ' '));
            prefixes.add(line.substring(0, space + 1));
            bases.add(Double.parseDouble(line.substring(space + 1)));
            // Counters, and the histograms' buckets (the agent names them without _bucket; they carry le), sums and
            // counts: these grow.
            growing.add(name.endsWith("_total") || name.endsWith("_sum") || name.endsWith("_count")
                    || line.contains("le=\""));
        }
        AtomicLongArray scrapes = new AtomicLongArray(instances);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<HttpServer> servers = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            int instance = i;
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", firstPort + i), 64);
            server.createContext("/metrics", exchange -> {
                long n = scrapes.incrementAndGet(instance);
                // Each instance its own level (0.5x to 1.49x the recording) and its own growth per scrape.
                double factor = 0.5 + (instance % 100) / 100.0;
                StringBuilder out = new StringBuilder(prefixes.size() * 96);
                for (int k = 0; k < prefixes.size(); k++) {
                    String prefix = prefixes.get(k);
                    if (prefix == null) {
                        out.append(lines.get(k)).append('\n');
                        continue;
                    }
                    double base = bases.get(k);
                    double value = growing.get(k) ? Math.floor(base * factor) + Math.floor(base * 0.01 * factor) * n
                            : base;
                    out.append(prefix);
                    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
                        out.append((long) value);
                    } else {
                        out.append(value);
                    }
                    out.append('\n');
                }
                byte[] body = out.toString().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.setExecutor(pool);
            server.start();
            servers.add(server);
        }
        System.out.printf("FleetSim: %d instances on 127.0.0.1:%d-%d, %d series each, for %d s%n", instances,
                firstPort, firstPort + instances - 1, prefixes.stream().filter(p -> p != null).count(), seconds);
        Thread.sleep(seconds * 1000L);
        servers.forEach(s -> s.stop(0));
        pool.shutdownNow();
        long total = 0;
        for (int i = 0; i < instances; i++) {
            total += scrapes.get(i);
        }
        System.out.printf("FleetSim: stopped; %d scrapes answered%n", total);
    }

    private static void queries(String url, int rangeSeconds) throws Exception {
        GrafanaDashboard dashboard = GrafanaDashboard.load();
        Map<String, String> values = Map.of("__rate_interval", "60s", "__interval", "15s", "__range",
                rangeSeconds + "s", "job", "scheduler-master", "instance", ".*", "handler", ".*");
        HttpClient client = HttpClient.newHttpClient();
        List<Map.Entry<String, Double>> timings = new ArrayList<>();
        double sum = 0;
        for (Map<String, Object> panel : dashboard.panels()) {
            Map<String, String> panelValues = GrafanaDashboard.panelValues(panel, values);
            for (Map<String, Object> target : GrafanaDashboard.targets(panel)) {
                String query = GrafanaDashboard.expand((String) target.get("expr"), panelValues);
                boolean instant = Boolean.TRUE.equals(target.get("instant"));
                long end = System.currentTimeMillis() / 1000;
                String uri = url + (instant ? "/api/v1/query?time=" + end : "/api/v1/query_range?start="
                        + (end - rangeSeconds) + "&end=" + end + "&step=15") + "&query="
                        + java.net.URLEncoder.encode(query, StandardCharsets.UTF_8);
                double[] ms = new double[3];
                for (int i = 0; i < ms.length; i++) {
                    long start = System.nanoTime();
                    HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(uri)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    ms[i] = (System.nanoTime() - start) / 1e6;
                    if (response.statusCode() != 200) {
                        // The store's own limit (-search.maxQueryDuration, 30 s) or another refusal: shown, not fatal.
                        System.out.printf("  refused (%d, after %.0f ms): %s / %s: %s%n", response.statusCode(), ms[i],
                                panel.get("title"), target.get("refId"), response.body().length() > 160
                                        ? response.body().substring(0, 160) : response.body());
                    }
                }
                java.util.Arrays.sort(ms);
                timings.add(Map.entry(panel.get("title") + " / " + target.get("refId"), ms[1]));
                sum += ms[1];
            }
        }
        timings.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        for (Map.Entry<String, Double> t : timings) {
            System.out.printf("  %9.1f ms  %s%n", t.getValue(), t.getKey());
        }
        System.out.printf("  %9.1f ms  all %d dashboard queries%n", sum, timings.size());
    }
}
