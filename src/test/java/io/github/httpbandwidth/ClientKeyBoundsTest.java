package io.github.httpbandwidth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a client can make a key cost: a header key of a megabyte keeps only its label's length, and
 * {@code X-Forwarded-For} is read in bounded, linear time without any name lookup.
 */
class ClientKeyBoundsTest {

    private static final int VALUE_LENGTH = 1_000_000;

    @Test
    void megabyteHeaderKeysKeepNoMoreThanTheirLabels() throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        BandwidthStats stats = BandwidthStats.builder().name("keys-big").clientKey(ClientKey.header("X-Worker-Id"))
                .build();
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, TopClientsTest.echo()))) {
            long before = heapAfterGc(memory);
            ExecutorService clients = Executors.newFixedThreadPool(16);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int c = 0; c < 16; c++) {
                    int connection = c;
                    done.add(clients.submit(() -> {
                        try (RawHttp http = new RawHttp(server.port())) {
                            for (int r = 0; r < 8; r++) {
                                String id = "w" + connection + "-" + r + "-";
                                TopClientsTest.post(http, id + "x".repeat(VALUE_LENGTH - id.length()), 10, 1);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                clients.shutdownNow();
            }
            BandwidthSnapshot s = Await.completed(stats, 128);
            assertThat(s.clients()).hasSize(ClientTable.DEFAULT_CAPACITY + 1);
            assertThat(s.clients()).allSatisfy(c -> assertThat(c.client().length())
                    .isLessThanOrEqualTo(ClientTable.MAX_NAME_LENGTH));

            // The table and every thread's buffer together: at most their keys, each at most a label long.
            long bound = (long) (ClientTable.DEFAULT_CAPACITY + stats.clientBuffers() * ClientTable.BUFFER)
                    * ClientTable.MAX_NAME_LENGTH;
            assertThat(stats.clientKeyCharsRetained()).isLessThanOrEqualTo(bound);
            // And the heap says so too: 128 keys of a megabyte each would be 128 MB (UTF-16 Latin-1 strings).
            assertThat(heapAfterGc(memory) - before).isLessThan(32L << 20);
        } finally {
            stats.close();
        }
    }

    @Test
    void forwardedForReadsAtMostItsBoundWhateverTheHeader() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("keys-xff-bound")
                .clientKey(ClientKey.forwardedFor("127.0.0.0/8", "10.0.0.0/8")).build();
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, TopClientsTest.echo()));
             RawHttp http = new RawHttp(server.port())) {
            // A right-most hop of 400,000 colons and an x: was a quadratic regular expression (0.9 s at 16,000). Longer
            // than what is read of the header, it identifies nobody.
            forwarded(http, "X-Forwarded-For: 203.0.113.1, " + ":".repeat(400_000) + "x\r\n", 1);
            // 60,000 trusted hops: only the last 16 are read, and the left-most of them names the client.
            StringBuilder hops = new StringBuilder("198.51.100.1");
            for (int i = 0; i < 60_000; i++) {
                hops.append(", 10.0.").append(i / 250 % 250).append('.').append(i % 250 + 1);
            }
            forwarded(http, "X-Forwarded-For: " + hops + "\r\n", 2);
            BandwidthSnapshot s = Await.completed(stats, 2);
            String sixteenthFromTheRight = "10.0." + (60_000 - ClientKeys.MAX_FORWARDED_HOPS) / 250 % 250 + "."
                    + ((60_000 - ClientKeys.MAX_FORWARDED_HOPS) % 250 + 1);
            assertThat(s.clients()).extracting(ClientSnapshot::client, ClientSnapshot::bytesReceived)
                    .containsExactly(org.assertj.core.api.Assertions.tuple(sixteenthFromTheRight, 2L),
                            org.assertj.core.api.Assertions.tuple(ClientTable.UNIDENTIFIED, 1L),
                            org.assertj.core.api.Assertions.tuple(ClientTable.OTHER, 0L));
        } finally {
            stats.close();
        }
    }

    /**
     * Hops that the JDK would take for host names ({@code .::1}, {@code .:a:b}) are never looked up: a child JVM whose
     * only name service is a hosts file naming them answers with the hops as written, not the hosts file's address.
     */
    @Test
    void forwardedHopsAreNeverLookedUp(@TempDir Path work) throws Exception {
        List<String> names = List.of(".::1", ".:a:b", "a.b", "abc", "fe80::1%lo", "unknown");
        StringBuilder hosts = new StringBuilder("203.0.113.77 resolve-check\n");
        for (String name : names) {
            hosts.append("203.0.113.77 ").append(name).append('\n');
        }
        Path file = Files.writeString(work.resolve("hosts"), hosts);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process probe = new ProcessBuilder(java, "-Djdk.net.hosts.file=" + file, "-cp", System.getProperty(
                "java.class.path"), LookupProbe.class.getName(), "resolve-check").redirectErrorStream(true).start();
        String checked = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Executables.awaitExit(probe);
        // The probe itself shows the hosts file is in force: the JDK resolves a name from it.
        assertThat(checked).contains("resolve-check -> 203.0.113.77");

        probe = new ProcessBuilder(java, "-Djdk.net.hosts.file=" + file, "-cp", System.getProperty(
                "java.class.path"), LookupProbe.class.getName()).redirectErrorStream(true).start();
        probe.getOutputStream().write(String.join("\n", names).getBytes(StandardCharsets.UTF_8));
        probe.getOutputStream().close();
        String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Executables.awaitExit(probe);
        assertThat(probe.exitValue()).as(output).isZero();
        assertThat(output).doesNotContain("203.0.113.77");
        for (String name : names) {
            assertThat(output).contains("client " + name + " ");
        }
    }

    private static void forwarded(RawHttp http, String headers, int in) throws java.io.IOException {
        String head = "POST /echo HTTP/1.1\r\nHost: localhost\r\n" + headers + "Content-Length: " + in + "\r\n\r\n";
        http.sendRaw(java.util.Arrays.copyOf(head.getBytes(StandardCharsets.ISO_8859_1), head.length() + in));
        assertThat(http.readResponse(false).status()).isEqualTo(200);
    }

    static long heapAfterGc(MemoryMXBean memory) {
        for (int i = 0; i < 3; i++) {
            memory.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    /**
     * Run in a child JVM under a hosts file: with {@code resolve-check}, resolves that name the JDK's way; else
     * sends each line of standard input as the only {@code X-Forwarded-For} hop through a trusted proxy (the
     * loopback) and prints the client each became.
     */
    public static final class LookupProbe {
        public static void main(String[] args) throws Exception {
            if (args.length > 0) {
                System.out.println(args[0] + " -> " + InetAddress.getByName(args[0]).getHostAddress());
                return;
            }
            List<String> hops = new String(System.in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            BandwidthStats stats = BandwidthStats.builder().name("lookup-probe").clientCapacity(hops.size())
                    .clientKey(ClientKey.forwardedFor("127.0.0.0/8")).build();
            try (TestServer server = TestServer.start(new BandwidthHandler(stats, TopClientsTest.echo()));
                 RawHttp http = new RawHttp(server.port())) {
                int in = 0;
                for (String hop : hops) {
                    forwarded(http, "X-Forwarded-For: " + hop + "\r\n", ++in);
                }
                for (ClientSnapshot client : Await.completed(stats, hops.size()).clients()) {
                    System.out.println("client " + client.client() + " " + client.bytesReceived());
                }
            }
        }
    }
}
