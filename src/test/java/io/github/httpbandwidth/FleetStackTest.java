package io.github.httpbandwidth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example stack with MASTERS=3: three masters, each under its own agent, one Prometheus. Workers (X-Worker-Id)
 * add up across the fleet exactly; one master restarts, and the rate()-based figures stay right where a difference
 * of the raw counters would lose what the restarted master counted before.
 */
class FleetStackTest {

    /** The masters' row hold (15 s), a scrape after it, and room for a slow machine. */
    private static final java.time.Duration ROW_HOLD_AND_MORE = java.time.Duration.ofSeconds(40);

    private static final int MIB = 1_000_000;

    @TempDir
    Path work;

    @Test
    void threeMastersOnePrometheusWorkersAddUpAndARestartLeavesRatesRight() throws Exception {
        try (ExampleStack stack = ExampleStack.start(work, Map.of("MASTERS", "3", "ARTIFACT_MAX_BYTES", "4000000"))) {
            PrometheusApi prometheus = stack.prometheus();
            Files.write(work.resolve("a.bin"), new byte[MIB]);
            Files.write(work.resolve("b.bin"), new byte[300_000]);
            String[] instances = new String[3];
            for (int i = 0; i < 3; i++) {
                instances[i] = "127.0.0.1:" + (stack.metricsPort + 2 * i);
            }
            prometheus.awaitValue("count(count by (instance) (up{job=\"scheduler-master\"} == 1))", 3);
            double start = now(prometheus);
            // Every master scraped once more before any traffic, so each series has a 0 inside the window.
            Await.until("a scrape of every master after " + start, () -> {
                try {
                    return prometheus.single("min(timestamp(scheduler_http_requests_total))") > start;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });

            // worker-a uploads 1 MB to each master, worker-b 300 kB to master 2; a request without a worker id
            // is keyed by its address.
            for (int i = 0; i < 3; i++) {
                upload(stack, i, "worker-a", "a.bin", "a-" + i);
            }
            upload(stack, 1, "worker-b", "b.bin", "b-1");
            upload(stack, 2, null, "b.bin", "anonymous");
            prometheus.awaitValue("sum(scheduler_http_bandwidth_bytes_total{direction=\"inbound\"})", 3.0 * MIB + 600_000);
            // Every client row past its hold: the rows hold all the inbound bytes.
            prometheus.awaitValue("sum(scheduler_http_client_bandwidth_bytes_total{direction=\"inbound\"})",
                    3.0 * MIB + 600_000, ROW_HOLD_AND_MORE);
            assertThat(byClient(prometheus)).containsEntry("worker-a", 3.0 * MIB).containsEntry("worker-b", 300_000.0)
                    .containsEntry("127.0.0.1", 300_000.0);
            assertThat(prometheus.query("scheduler_http_client_bandwidth_bytes_total{client=\"worker-a\",direction=\"inbound\"}"))
                    .extracting(s -> PrometheusApi.labelsOf(s).get("instance")).containsExactlyInAnyOrder(instances);

            // Master 2 restarts: its counters start again from 0. It then takes 1 MB more, master 1 too.
            Shell.Result restart = stack.script("restart-master 2");
            assertThat(restart.exitCode()).as(restart.output()).isZero();
            assertThat(restart.output()).contains("Master 2 runs again");
            upload(stack, 1, "worker-a", "a.bin", "a-1-again");
            upload(stack, 0, "worker-a", "a.bin", "a-0-again");
            prometheus.awaitValue("scheduler_http_bandwidth_bytes_total{instance=\"" + instances[1]
                    + "\",direction=\"inbound\"}", MIB);
            prometheus.awaitValue("scheduler_http_bandwidth_bytes_total{instance=\"" + instances[0]
                    + "\",direction=\"inbound\"}", 2.0 * MIB);
            // A window of at least 60 s, so that increase()'s extrapolation to its end (at most one 5 s scrape
            // interval, and only on the series' slope) stays small beside it.
            for (int wait = 0; wait < 120 && now(prometheus) < start + 60; wait++) {
                LockSupport.parkNanos(1_000_000_000L);
            }
            double end = now(prometheus);
            long window = (long) Math.ceil(end - start) + 1;

            // Moved in the window: 3.6 MB before the restart, 2 MB after it.
            double moved = 5.6 * MIB;
            double naive = prometheus.single("sum(scheduler_http_bandwidth_bytes_total{direction=\"inbound\"})");
            assertThat(naive).as("the raw counters' sum lost master 2's 1.3 MB").isEqualTo(moved - 1.3 * MIB);
            double increase = PrometheusApi.valueOf(prometheus.query("sum(increase(scheduler_http_bandwidth_bytes_total"
                    + "{direction=\"inbound\"}[" + window + "s]))", end).get(0));
            // increase() extrapolates to the window's edges (at most a scrape interval at each end): never below.
            assertThat(increase).as("increase() over the restart").isBetween(moved, moved * 1.2);

            // The fleet panel (rate per instance, then the sum) never dips below 0 across the restart.
            Map<String, Object> fleetPanel = GrafanaDashboard.load().panels().stream()
                    .filter(p -> "Fleet Bandwidth".equals(p.get("title"))).findFirst().orElseThrow();
            String fleet = GrafanaDashboard.expand((String) GrafanaDashboard.targets(fleetPanel).get(0).get("expr"),
                    Map.of("__rate_interval", "20s", "job", "scheduler-master", "instance", ".*", "handler", ".*"));
            for (double t = start; t <= end; t += 5) {
                for (Map<String, Object> series : prometheus.query(fleet, t)) {
                    assertThat(PrometheusApi.valueOf(series)).as("fleet rate at %s", t).isGreaterThanOrEqualTo(0);
                }
            }
            // The live Prometheus evaluates the shipped recording rules and alerts: every rule healthy, the fleet's
            // recorded rates there, the spike alerts quiet (no baseline hour has passed; nothing above 1 MB/s for 5
            // minutes).
            String rules = Shell.run(work, Map.of(), "curl -s http://127.0.0.1:" + stack.prometheusPort
                    + "/api/v1/rules", 30).output();
            assertThat(rules).contains("\"name\":\"scheduler-http-fleet\"", "SchedulerClientBandwidthSpike",
                    "SchedulerEndpointBandwidthSpike").doesNotContain("\"health\":\"err\"");
            Await.until("the fleet's recorded rate", () -> {
                try {
                    return !prometheus.query("scheduler_fleet:http_client_bandwidth_bytes:rate5m{client=\"worker-a\"}")
                            .isEmpty();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(prometheus.query("ALERTS{alertstate=\"firing\"}")).isEmpty();
            // Per instance: three; the busiest first.
            Map<String, Object> perInstance = GrafanaDashboard.load().panels().stream()
                    .filter(p -> "Top Instances".equals(p.get("title"))).findFirst().orElseThrow();
            List<Map<String, Object>> top = prometheus.query(GrafanaDashboard.expand((String) GrafanaDashboard
                    .targets(perInstance).get(0).get("expr"), Map.of("__range", window + "s", "job", "scheduler-master",
                    "instance", ".*", "handler", ".*")), end);
            assertThat(top).extracting(s -> PrometheusApi.labelsOf(s).get("instance"))
                    .containsExactlyInAnyOrder(instances);
        }
    }

    private static void upload(ExampleStack stack, int master, String worker, String file, String name)
            throws Exception {
        String header = worker == null ? "" : "-H 'X-Worker-Id: " + worker + "' ";
        String code = stack.curl(header + "-o /dev/null -w '%{http_code}' -T " + file + " https://127.0.0.1:"
                + (stack.masterPort + master) + "/artifacts/" + name + ".bin");
        assertThat(code).as("upload of %s to master %d", file, master + 1).isEqualTo("201");
    }

    private static Map<String, Double> byClient(PrometheusApi prometheus) throws Exception {
        Map<String, Double> sums = new HashMap<>();
        for (Map<String, Object> s : prometheus.query(
                "sum by (client) (scheduler_http_client_bandwidth_bytes_total{direction=\"inbound\"})")) {
            sums.put(PrometheusApi.labelsOf(s).get("client"), PrometheusApi.valueOf(s));
        }
        return sums;
    }

    private static double now(PrometheusApi prometheus) throws Exception {
        return prometheus.single("vector(time())");
    }
}
