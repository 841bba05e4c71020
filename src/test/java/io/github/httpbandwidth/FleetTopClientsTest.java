package io.github.httpbandwidth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Top clients over a fleet, with their bound: three masters whose tables keep 10 clients each, 60 workers of skewed
 * sizes spread unevenly over them (some on one master, some on two, some on all three), in a shuffled order. The
 * shipped recording rules {@code scheduler_fleet:http_client_bytes:lower} and {@code :upper}, evaluated by the
 * stack's Prometheus, must hold every worker's true total (curl's own body bytes, in and out), while rows are still
 * in their hold and after it; every true top-5 worker is on the dashboard's panel; and the bound is exactly what the
 * tables' own figures allow (each kept row's error, each other table's least weight).
 */
class FleetTopClientsTest {

    private static final int MASTERS = 3;
    private static final int WORKERS = 60;
    private static final int CAPACITY = 10;
    private static final java.time.Duration ROW_HOLD_AND_MORE = java.time.Duration.ofSeconds(40);

    @TempDir
    Path work;

    @Test
    void everyWorkersFleetTotalLiesInsideItsBoundAndTheTopFiveAreShown() throws Exception {
        try (ExampleStack stack = ExampleStack.start(work, Map.of("MASTERS", Integer.toString(MASTERS),
                "BANDWIDTH_CLIENT_CAPACITY", Integer.toString(CAPACITY)))) {
            PrometheusApi prometheus = stack.prometheus();
            prometheus.awaitValue("count(count by (instance) (up{job=\"scheduler-master\"} == 1))", MASTERS);
            // What the masters answered before the workers came (the start's health checks), once scraped.
            double start = prometheus.single("vector(time())");
            Await.until("a scrape of every master after " + start, () -> {
                try {
                    return prometheus.single("min(timestamp(scheduler_http_requests_total))") > start;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            double answeredBefore = prometheus.single("sum(scheduler_http_bandwidth_bytes_total{direction=\"outbound\"})");

            // Worker j (1..60) uploads about 400 kB / j^1.2 in all: to master j mod 3 always, to the next one when j
            // is even, to the one after when j is a multiple of 5; each share its own upload. Sizes and the order are
            // fixed by the seed.
            Random random = new Random(20261203);
            List<String[]> uploads = new ArrayList<>();
            for (int j = 1; j <= WORKERS; j++) {
                List<Integer> masters = new ArrayList<>(List.of(j % MASTERS));
                if (j % 2 == 0) {
                    masters.add((j + 1) % MASTERS);
                }
                if (j % 5 == 0) {
                    masters.add((j + 2) % MASTERS);
                }
                long total = Math.round(400_000 / Math.pow(j, 1.2)) + random.nextInt(500);
                for (int master : masters.stream().distinct().toList()) {
                    long size = total / masters.size() + random.nextInt(1000);
                    Path body = work.resolve("w" + j + "-m" + master + ".bin");
                    Files.write(body, new byte[(int) size]);
                    uploads.add(new String[] {"worker-" + j, Integer.toString(master), body.getFileName().toString()});
                }
            }
            Collections.shuffle(uploads, random);
            StringBuilder script = new StringBuilder("set -e; source .env\n");
            for (String[] u : uploads) {
                script.append("curl -sk -H \"Authorization: Bearer $MASTER_API_KEY\" -H 'X-Worker-Id: ").append(u[0])
                        .append("' -o /dev/null -w '").append(u[0]).append(" %{http_code} %{size_upload} %{size_download}\\n' -T ")
                        .append(u[2]).append(" https://127.0.0.1:").append(stack.masterPort + Integer.parseInt(u[1]))
                        .append("/artifacts/").append(u[2]).append('\n');
            }
            Shell.Result sent = Shell.run(work, Map.of(), script.toString(), 300);
            assertThat(sent.exitCode()).as(sent.output()).isZero();
            Map<String, Long> truth = new HashMap<>();
            long inbound = 0;
            long outbound = 0;
            for (String line : sent.output().strip().split("\n")) {
                String[] f = line.split(" ");
                assertThat(f[1]).as(line).isEqualTo("201");
                truth.merge(f[0], Long.parseLong(f[2]) + Long.parseLong(f[3]), Long::sum);
                inbound += Long.parseLong(f[2]);
                outbound += Long.parseLong(f[3]);
            }
            assertThat(truth).hasSize(WORKERS);
            List<String> topFive = truth.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .limit(5).map(Map.Entry::getKey).toList();

            // Every exchange scraped (the totals equal curl's), then a rule evaluation after that scrape: rows made in
            // the last 15 s still show 0, and their error covers what they do not show yet.
            prometheus.awaitValue("sum(scheduler_http_bandwidth_bytes_total{direction=\"inbound\"})", inbound);
            prometheus.awaitValue("sum(scheduler_http_bandwidth_bytes_total{direction=\"outbound\"})",
                    answeredBefore + outbound);
            double scraped = prometheus.single("max(timestamp(scheduler_http_bandwidth_bytes_total))");
            checkBounds(prometheus, truth, "during the row hold", prometheus.single("vector(time())"));

            // Past the row hold: every row shows what it counted.
            double held = scraped + 15;
            Await.until("a scrape past the row hold", ROW_HOLD_AND_MORE, () -> {
                try {
                    return prometheus.single("min(timestamp(scheduler_http_client_error_bytes))") > held + 5;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            checkBounds(prometheus, truth, "after the row hold", prometheus.single("vector(time())"));
            // The recorded series, as the dashboard reads them, once evaluated after that scrape.
            awaitRuleAfter(prometheus, prometheus.single("max(timestamp(scheduler_http_client_error_bytes))"));

            // The dashboard's panel (its query as Grafana sends it) lists every true top-5 worker.
            Map<String, Object> panel = GrafanaDashboard.load().panels().stream()
                    .filter(p -> "Top Clients across the Fleet, with Bounds".equals(p.get("title"))).findFirst()
                    .orElseThrow();
            Map<String, String> values = Map.of("job", "scheduler-master", "instance", ".*", "handler", ".*");
            Map<String, Map<String, Double>> shown = new TreeMap<>();
            for (Map<String, Object> target : GrafanaDashboard.targets(panel)) {
                for (Map<String, Object> s : prometheus.query(GrafanaDashboard.expand((String) target.get("expr"), values))) {
                    shown.computeIfAbsent(PrometheusApi.labelsOf(s).get("client"), c -> new HashMap<>())
                            .put((String) target.get("refId"), PrometheusApi.valueOf(s));
                }
            }
            assertThat(shown.keySet()).as("the panel's clients; true top 5 %s", topFive).containsAll(topFive);
            for (Map.Entry<String, Map<String, Double>> row : shown.entrySet()) {
                long actual = truth.get(row.getKey());
                assertThat(row.getValue().get("A")).as("panel lower of %s", row.getKey()).isLessThanOrEqualTo(actual);
                assertThat(row.getValue().get("B")).as("panel upper of %s", row.getKey()).isGreaterThanOrEqualTo(actual);
            }
        }
    }

    /**
     * The rules' bounds against the truth, and against the tables' own figures: for each worker, lower is the sum of
     * its rows, upper - lower the errors of its rows plus the least weights ((other)'s error) of the masters that do
     * not keep it. A worker no table keeps has moved at most the least weights' sum. The shipped rules' expressions
     * and the per-master series are evaluated at one instant, so they see the same scrapes.
     */
    private static void checkBounds(PrometheusApi prometheus, Map<String, Long> truth, String when, double at)
            throws Exception {
        Map<String, Double> lower = byClient(prometheus.query(shippedRule("scheduler_fleet:http_client_bytes:lower"), at));
        Map<String, Double> upper = byClient(prometheus.query(shippedRule("scheduler_fleet:http_client_bytes:upper"), at));
        assertThat(upper.keySet()).as(when).isEqualTo(lower.keySet());
        assertThat(lower).as(when + ": the rules' clients are workers").allSatisfy((c, v) -> assertThat(truth).containsKey(c));

        Map<String, Double> least = new HashMap<>();
        for (Map<String, Object> s : prometheus.query("scheduler_http_client_error_bytes{client=\"(other)\"}", at)) {
            least.put(PrometheusApi.labelsOf(s).get("instance"), PrometheusApi.valueOf(s));
        }
        assertThat(least).as(when + ": a least weight per master").hasSize(MASTERS);
        assertThat(least.values()).as(when + ": every table full, so the bound is not trivial").allSatisfy(
                v -> assertThat(v).isPositive());
        Map<String, Map<String, Double>> errors = new HashMap<>();
        for (Map<String, Object> s : prometheus.query("scheduler_http_client_error_bytes{client=~\"worker-.*\"}", at)) {
            Map<String, String> labels = PrometheusApi.labelsOf(s);
            errors.computeIfAbsent(labels.get("client"), c -> new HashMap<>()).put(labels.get("instance"),
                    PrometheusApi.valueOf(s));
        }
        double leastSum = least.values().stream().mapToDouble(Double::doubleValue).sum();
        for (Map.Entry<String, Long> worker : truth.entrySet()) {
            String client = worker.getKey();
            long actual = worker.getValue();
            if (!lower.containsKey(client)) {
                assertThat((double) actual).as("%s: %s, kept by no table", when, client).isLessThanOrEqualTo(leastSum);
                continue;
            }
            assertThat(lower.get(client)).as("%s: lower bound of %s (true %d)", when, client, actual)
                    .isLessThanOrEqualTo(actual);
            assertThat(upper.get(client)).as("%s: upper bound of %s (true %d)", when, client, actual)
                    .isGreaterThanOrEqualTo(actual);
            double allowed = 0;
            for (Map.Entry<String, Double> master : least.entrySet()) {
                Double error = errors.get(client).get(master.getKey());
                allowed += error != null ? error : master.getValue();
            }
            assertThat(upper.get(client) - lower.get(client)).as("%s: the width of %s's bound", when, client)
                    .isEqualTo(allowed);
        }
        Set<String> kept = lower.keySet();
        assertThat(kept).as(when + ": clients in the fleet's view").hasSizeGreaterThan(CAPACITY);
        StringBuilder top = new StringBuilder();
        truth.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(5).forEach(w ->
                top.append(String.format(" %s %d in [%.0f, %.0f]", w.getKey(), w.getValue(), lower.get(w.getKey()),
                        upper.get(w.getKey()))));
        System.out.printf("FleetTopClientsTest %s: %d of %d workers kept somewhere, least weights %s; top 5:%s%n",
                when, kept.size(), truth.size(), new TreeMap<>(least), top);
    }

    private static void awaitRuleAfter(PrometheusApi prometheus, double time) {
        Await.until("a rule evaluation after " + time, () -> {
            try {
                return prometheus.single("min(timestamp(scheduler_fleet:http_client_bytes:upper))") > time;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static Map<String, Double> byClient(List<Map<String, Object>> result) {
        return result.stream().collect(Collectors.toMap(s -> PrometheusApi.labelsOf(s).get("client"),
                PrometheusApi::valueOf));
    }

    /** The expression of the recording rule {@code record} in the shipped rules.yml (one line, or a block scalar). */
    static String shippedRule(String record) throws Exception {
        List<String> lines = Files.readAllLines(Path.of("examples/prometheus/rules.yml"));
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).strip().equals("- record: " + record)) {
                continue;
            }
            String expr = lines.get(i + 1);
            int indent = expr.indexOf("expr:");
            String value = expr.substring(indent + "expr:".length()).strip();
            if (!value.equals("|")) {
                return value;
            }
            StringBuilder block = new StringBuilder();
            for (int j = i + 2; j < lines.size() && (lines.get(j).isBlank()
                    || lines.get(j).length() - lines.get(j).stripLeading().length() > indent); j++) {
                block.append(lines.get(j).strip()).append('\n');
            }
            return block.toString();
        }
        throw new AssertionError("no recording rule " + record + " in examples/prometheus/rules.yml");
    }
}
