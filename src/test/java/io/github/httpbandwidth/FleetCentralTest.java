package io.github.httpbandwidth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code MASTERS=2 CENTRAL=1 examples/full-stack-deploy.sh start}: two masters, one collector (vmagent), the central
 * store (VictoriaMetrics) and vmalert, from Debian's packages. Uploads while the central store is down for a while
 * reach it once it is back, every scrape of the outage included; the central figures equal curl's byte counts; a
 * collector's outage loses no bytes, nor does a master's restart (increase() over the counters' reset); the shipped
 * recording rules are evaluated centrally.
 */
class FleetCentralTest {

    /**
     * How long the central store stays down: at least this many scrapes of every master (5 s apart); 4 in the suite,
     * 12 (a minute) or more by hand with -Dfleet.outageScrapes=12.
     */
    private static final int OUTAGE_SCRAPES = Integer.getInteger("fleet.outageScrapes", 4);
    /** How long the collector stays down at least: 0 in the suite, 60 by hand with -Dfleet.collectorOutageSeconds=60. */
    private static final int COLLECTOR_OUTAGE_SECONDS = Integer.getInteger("fleet.collectorOutageSeconds", 0);

    @TempDir
    Path work;

    @Test
    void nothingIsLostWhileTheCentralStoreOrACollectorIsDown() throws Exception {
        int central = Ports.free();
        int collector = Ports.free();
        int vmalert = Ports.free();
        try (ExampleStack stack = ExampleStack.start(work, Map.of("MASTERS", "2", "CENTRAL", "1",
                "CENTRAL_PORT", Integer.toString(central), "COLLECTOR_PORT", Integer.toString(collector),
                "VMALERT_PORT", Integer.toString(vmalert)))) {
            assertThat(Files.readString(work.resolve(".env"))).contains("CENTRAL_URL=http://127.0.0.1:" + central);
            assertThat(stack.script("status").output()).contains("central:", "collector 1:", "vmalert:");
            PrometheusApi store = new PrometheusApi(central);
            try {
                store.awaitValue("count(up{job=\"scheduler-master\"} == 1)", 2, Duration.ofSeconds(60));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; collector 1's targets: " + Shell.run(work, Map.of(),
                        "curl -s http://127.0.0.1:" + collector + "/api/v1/targets", 30).output(), e);
            }
            Files.write(work.resolve("a.bin"), new byte[100_000]);
            // A refused request (401, no body in), so the dashboard's error panel has a row.
            assertThat(Shell.run(work, Map.of(), "curl -sk -o /dev/null -w '%{http_code}' " + stack.masterUrl("/jobs"), 30)
                    .output().trim()).isEqualTo("401");
            long sent = 0;
            sent += upload(stack, 0, "a-1");
            sent += upload(stack, 1, "a-2");
            String inbound = "sum(scheduler_http_bandwidth_bytes_total{direction=\"inbound\"})";
            store.awaitValue(inbound, sent, Duration.ofSeconds(60));

            // The central store goes down; traffic goes on; the collector keeps scraping into its buffer.
            assertThat(stack.script("stop-central").exitCode()).isZero();
            double down = now();
            sent += upload(stack, 0, "b-1");
            sent += upload(stack, 1, "b-2");
            long scrapesBefore = collectorScrapes(stack, collector);
            Await.until(OUTAGE_SCRAPES + " scrapes of each master while the central store is down",
                    Duration.ofSeconds(60 + 5L * OUTAGE_SCRAPES),
                    () -> collectorScrapes(stack, collector) >= scrapesBefore + 2L * OUTAGE_SCRAPES);
            assertThat(stack.script("start-central").exitCode()).isZero();
            double up = now();
            store.awaitValue(inbound, sent, Duration.ofSeconds(60 + 5L * OUTAGE_SCRAPES));
            // No gap: every 5 s scrape of each master, from its first to its last, is in the central store, the
            // outage's included (the collector re-sends its buffer with a growing back-off, so they come in late);
            // and as many samples in the outage's window as in the equal window before it.
            long window = Math.round(up - down);
            for (int i = 0; i < 2; i++) {
                String instance = "127.0.0.1:" + (stack.metricsPort + 2 * i);
                Await.until("every scrape of " + instance + " through the outage in the central store",
                        Duration.ofSeconds(90 + 5L * OUTAGE_SCRAPES), () -> {
                            long[] t = timestamps(central, instance);
                            return t.length > 0 && t[t.length - 1] >= (long) (up * 1000) && largestGap(t) <= 7_500;
                        });
                String count = "count_over_time(up{instance=\"" + instance + "\"}[" + window + "s])";
                System.out.printf("FleetCentralTest: %s, central store down %d s: %.0f samples in that window, %.0f in"
                        + " the window before; largest gap %d ms%n", instance, window, store.single(count, up),
                        store.single(count, down), largestGap(timestamps(central, instance)));
                // Against the equal window before it where the master was scraped all through that window (a long
                // outage's window reaches back before the stack started), and against the 5 s interval in any case.
                double during = store.single(count, up);
                assertThat(during).as("samples of %s over the outage (%d s), one per 5 s", instance, window)
                        .isBetween(window / 5.0 - 1, window / 5.0 + 1).isGreaterThanOrEqualTo(OUTAGE_SCRAPES - 1);
                if (timestamps(central, instance)[0] <= (long) ((down - window) * 1000)) {
                    assertThat(during).as("samples of %s over the outage (%d s) against the window before", instance,
                            window).isBetween(store.single(count, down) - 1, store.single(count, down) + 1);
                }
            }

            // A collector goes down: the masters' counters carry the bytes over the gap.
            assertThat(stack.script("stop-collector 1").exitCode()).isZero();
            double collectorDown = now();
            sent += upload(stack, 0, "c-1");
            Await.until("the collector down for " + COLLECTOR_OUTAGE_SECONDS + " s",
                    Duration.ofSeconds(COLLECTOR_OUTAGE_SECONDS + 30L), () -> now() >= collectorDown + COLLECTOR_OUTAGE_SECONDS);
            assertThat(stack.script("start-collector 1").exitCode()).isZero();
            store.awaitValue(inbound, sent, Duration.ofSeconds(60));

            // A master restarts, its counters from 0 again: increase() takes that as a reset.
            assertThat(stack.script("restart-master 2").exitCode()).isZero();
            sent += upload(stack, 1, "d-2");
            store.awaitValue("sum(increase(scheduler_http_bandwidth_bytes_total{direction=\"inbound\"}[1h]))", sent,
                    Duration.ofSeconds(60));
            // The shipped dashboard, unchanged, against the central store: its variables find the fleet and every
            // panel's query is answered there (as DashboardTest asks them of Prometheus).
            assertThat(store.labelValues("instance", "scheduler_http_requests_total{job=~\"scheduler-master\"}"))
                    .containsExactlyInAnyOrder("127.0.0.1:" + stack.metricsPort, "127.0.0.1:" + (stack.metricsPort + 2));
            double evaluation = now();
            Map<String, String> values = Map.of("__rate_interval", "20s", "__interval", "5s", "__range", "5m",
                    "job", "scheduler-master", "instance", ".*", "handler", ".*");
            GrafanaDashboard dashboard = GrafanaDashboard.load();
            for (Map<String, Object> panel : dashboard.panels()) {
                Map<String, String> panelValues = GrafanaDashboard.panelValues(panel, values);
                for (Map<String, Object> target : GrafanaDashboard.targets(panel)) {
                    String query = GrafanaDashboard.expand((String) target.get("expr"), panelValues);
                    java.util.List<Map<String, Object>> result = store.query(query, evaluation);
                    assertThat(result).as(panel.get("title") + " / " + target.get("refId") + ": " + query).isNotEmpty();
                    for (Map<String, Object> series : result) {
                        assertThat(PrometheusApi.valueOf(series)).as(query).isFinite().isBetween(0.0, (double) (1L << 30));
                    }
                }
            }

            // The shipped recording rules, evaluated centrally by vmalert.
            Await.until("the recording rule scheduler_fleet:http_bandwidth_bytes:rate1m in the central store",
                    Duration.ofSeconds(60), () -> {
                        try {
                            return !store.query("scheduler_fleet:http_bandwidth_bytes:rate1m").isEmpty();
                        } catch (Exception e) {
                            return false;
                        }
                    });
        }
    }

    /** Uploads a.bin to master {@code master} (0-based); the bytes curl sent. */
    private static long upload(ExampleStack stack, int master, String name) throws Exception {
        String[] out = stack.curl("-o /dev/null -w '%{http_code} %{size_upload}' -T a.bin https://127.0.0.1:"
                + (stack.masterPort + master) + "/artifacts/" + name + ".bin").split(" ");
        assertThat(out[0]).as("upload to master %d", master + 1).isEqualTo("201");
        return Long.parseLong(out[1]);
    }

    /** The timestamps (ms) of every sample of {@code up} for one master in the central store (its export API). */
    private static long[] timestamps(int central, String instance) {
        try {
            String body = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + central + "/api/v1/export?match[]="
                            + java.net.URLEncoder.encode("up{instance=\"" + instance + "\"}",
                            java.nio.charset.StandardCharsets.UTF_8))).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            int at = body.indexOf("\"timestamps\":[");
            if (at < 0) {
                return new long[0];
            }
            String list = body.substring(at + 14, body.indexOf(']', at));
            return java.util.Arrays.stream(list.split(",")).mapToLong(Long::parseLong).sorted().toArray();
        } catch (Exception e) {
            return new long[0];
        }
    }

    private static long largestGap(long[] sorted) {
        long gap = 0;
        for (int i = 1; i < sorted.length; i++) {
            gap = Math.max(gap, sorted[i] - sorted[i - 1]);
        }
        return gap;
    }

    /** The scrapes collector 1 has made (vmagent's own counter). */
    private static long collectorScrapes(ExampleStack stack, int port) {
        try {
            Shell.Result metrics = Shell.run(stack.work, Map.of(), "curl -s http://127.0.0.1:" + port + "/metrics", 30);
            return metrics.output().lines().filter(l -> l.startsWith("vm_promscrape_scrape_duration_seconds_count "))
                    .mapToLong(l -> (long) Double.parseDouble(l.substring(l.indexOf(' ') + 1).trim())).sum();
        } catch (Exception e) {
            return -1;
        }
    }

    private static double now() {
        return System.currentTimeMillis() / 1000.0;
    }
}
