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
 * collector's outage loses no bytes; the shipped recording rules are evaluated centrally.
 */
class FleetCentralTest {

    /** How long the central store stays down: at least this many scrapes of every master (5 s apart). */
    private static final int OUTAGE_SCRAPES = 4;

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
            store.awaitValue("count(up{job=\"scheduler-master\"} == 1)", 2, Duration.ofSeconds(60));
            Files.write(work.resolve("a.bin"), new byte[100_000]);
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
                    Duration.ofSeconds(60), () -> collectorScrapes(stack, collector) >= scrapesBefore + 2L * OUTAGE_SCRAPES);
            assertThat(stack.script("start-central").exitCode()).isZero();
            double up = now();
            store.awaitValue(inbound, sent, Duration.ofSeconds(60));
            // No gap: as many samples of each master in the outage's window as in the equal window before it.
            long window = Math.round(up - down);
            for (int i = 0; i < 2; i++) {
                String instance = "127.0.0.1:" + (stack.metricsPort + 2 * i);
                String count = "count_over_time(scheduler_http_requests_total{instance=\"" + instance + "\"}[" + window + "s])";
                double before = store.single(count, down);
                Await.until("the outage's samples of " + instance + " in the central store", Duration.ofSeconds(60), () -> {
                    try {
                        return store.single(count, up) >= before - 1;
                    } catch (Exception e) {
                        return false;
                    }
                });
                assertThat(store.single(count, up)).as("samples of %s over the outage (%d s) against the window before",
                        instance, window).isBetween(before - 1, before + 1).isGreaterThanOrEqualTo(OUTAGE_SCRAPES);
            }

            // A collector goes down: the masters' counters carry the bytes over the gap.
            assertThat(stack.script("stop-collector 1").exitCode()).isZero();
            sent += upload(stack, 0, "c-1");
            assertThat(stack.script("start-collector 1").exitCode()).isZero();
            store.awaitValue(inbound, sent, Duration.ofSeconds(60));
            // increase() over the whole run counts every byte (each series' first sample is before any upload).
            assertThat(store.single("sum(increase(scheduler_http_bandwidth_bytes_total{direction=\"inbound\"}[1h]))"))
                    .isEqualTo(sent);
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

    /** The scrapes collector 1 has made (vmagent's own counter). */
    private static long collectorScrapes(ExampleStack stack, int port) {
        try {
            Shell.Result metrics = Shell.run(stack.work, Map.of(), "curl -s http://127.0.0.1:" + port + "/metrics", 30);
            return metrics.output().lines().filter(l -> l.startsWith("vm_promscrape_scrapes_total "))
                    .mapToLong(l -> (long) Double.parseDouble(l.substring(l.indexOf(' ') + 1).trim())).sum();
        } catch (Exception e) {
            return -1;
        }
    }

    private static double now() {
        return System.currentTimeMillis() / 1000.0;
    }
}
