package io.github.httpbandwidth;

import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The readers' row MBeans ({@code io.github.httpbandwidth.rows}, read by OpenTelemetry's JMX Metric Insight) with a
 * ticker the test moves, traffic through a real Undertow: each figure born at zero from this MBean's own first read,
 * a status class absent (null) until the row has one, one snapshot per second of reads.
 */
class RowMBeanTest {

    private static final long SECOND = 1_000_000_000L;
    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    @Test
    void eachFigureIsBornAtZeroFromThisMBeansFirstReadAndAClassIsAbsentUntilSeen() throws Exception {
        AtomicLong now = new AtomicLong(1_000 * SECOND);
        BandwidthStats stats = BandwidthStats.builder().name("reader-rows").ticker(now::get)
                .rowHold(Duration.ofSeconds(15)).build();
        stats.registerMBean(SERVER);
        ObjectName row = MBeanPublisher.rowName("reader-rows", "/echo");
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, TopClientsTest.echo()));
             RawHttp http = new RawHttp(server.port())) {
            TopClientsTest.post(http, null, 3_000, 100);
            Await.completed(stats, 1);
            assertThat(SERVER.isRegistered(row)).isTrue();
            assertThat(SERVER.getAttribute(row, "Endpoint")).isEqualTo("/echo");
            // First read at 1000 s: held.
            assertThat(SERVER.getAttribute(row, "BytesReceived")).isEqualTo(0L);
            assertThat(SERVER.getAttribute(row, "Requests2xx")).isEqualTo(0L);
            assertThat(SERVER.getAttribute(row, "Requests4xx")).isNull();

            now.addAndGet(15 * SECOND);
            assertThat(SERVER.getAttribute(row, "BytesReceived")).isEqualTo(3_000L);
            assertThat(SERVER.getAttribute(row, "BytesSent")).isEqualTo(100L);
            assertThat(SERVER.getAttribute(row, "Requests")).isEqualTo(1L);
            assertThat(SERVER.getAttribute(row, "BytesReceived2xx")).isEqualTo(3_000L);

            TopClientsTest.post(http, null, 10, 5, 404);
            Await.completed(stats, 2);
            // Within a second of the last snapshot the reads still show it; a second later, the 404.
            assertThat(SERVER.getAttribute(row, "Requests")).isEqualTo(1L);
            now.addAndGet(SECOND);
            assertThat(SERVER.getAttribute(row, "Requests")).isEqualTo(2L);
            assertThat(SERVER.getAttribute(row, "BytesReceived")).isEqualTo(3_010L);
            // The 4xx class is new to this MBean: 0 for its own hold, then its figures.
            assertThat(SERVER.getAttribute(row, "Requests4xx")).isEqualTo(0L);
            assertThat(SERVER.getAttribute(row, "BytesSent4xx")).isEqualTo(0L);
            now.addAndGet(15 * SECOND);
            assertThat(SERVER.getAttribute(row, "Requests4xx")).isEqualTo(1L);
            assertThat(SERVER.getAttribute(row, "BytesSent4xx")).isEqualTo(5L);
            assertThat(SERVER.getAttribute(row, "Requests2xx")).isEqualTo(1L);
            assertThat(SERVER.getAttribute(row, "Requests5xx")).isNull();

            // Hidden from the JMX exporter's rules (another domain) and gone with the handler.
            assertThat(SERVER.queryNames(new ObjectName("io.github.httpbandwidth:*"), null)).noneMatch(
                    n -> n.getDomain().equals(MBeanPublisher.ROWS_DOMAIN));
        } finally {
            stats.close();
        }
        assertThat(SERVER.isRegistered(row)).isFalse();
    }

    /**
     * Client rows: an MBean per row of the exported view, registered when a client enters it, unregistered when it
     * leaves; a departed client's series ends with what it showed and (other) gets only what no row showed, so the
     * series' increases add up to the totals.
     */
    @Test
    void clientRowsComeAndGoWithTheTableAndStillAddUp() throws Exception {
        AtomicLong now = new AtomicLong(1_000 * SECOND);
        BandwidthStats stats = twoClientRows("reader-clients", now);
        ObjectName endpointRow = MBeanPublisher.rowName("reader-clients", "(unmatched)");
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, TopClientsTest.echo()));
             RawHttp http = new RawHttp(server.port())) {
            TopClientsTest.post(http, "w1", 5_000, 10);
            TopClientsTest.post(http, "w2", 3_000, 10);
            Await.completed(stats, 2);
            // Any row MBean's read takes the view, and with it the client MBeans come.
            SERVER.getAttribute(endpointRow, "Requests");
            ObjectName w1 = MBeanPublisher.clientRowName("reader-clients", "w1");
            ObjectName w2 = MBeanPublisher.clientRowName("reader-clients", "w2");
            ObjectName departed = MBeanPublisher.clientRowName("reader-clients", "(departed)");
            assertThat(SERVER.isRegistered(w1)).isTrue();
            assertThat(SERVER.isRegistered(w2)).isTrue();
            assertThat(SERVER.isRegistered(departed)).isFalse();
            assertThat(SERVER.getAttribute(w1, "Client")).isEqualTo("w1");
            assertThat(SERVER.getAttribute(w1, "BytesReceived")).isEqualTo(0L);
            assertThat(SERVER.getAttribute(w2, "BytesReceived")).isEqualTo(0L);
            now.addAndGet(15 * SECOND);
            assertThat(SERVER.getAttribute(w1, "BytesReceived")).isEqualTo(5_000L);
            assertThat(SERVER.getAttribute(w2, "BytesReceived")).isEqualTo(3_000L);
            assertThat(SERVER.getAttribute(w2, "Requests")).isEqualTo(1L);

            // w3 pushes w2 (the least) out of the two rows.
            TopClientsTest.post(http, "w3", 4_000, 10);
            Await.completed(stats, 3);
            now.addAndGet(SECOND);
            SERVER.getAttribute(endpointRow, "Requests");
            assertThat(SERVER.isRegistered(w2)).isFalse();
            ObjectName w3 = MBeanPublisher.clientRowName("reader-clients", "w3");
            ObjectName other = MBeanPublisher.clientRowName("reader-clients", "(other)");
            assertThat(SERVER.isRegistered(w3)).isTrue();
            assertThat(SERVER.getAttribute(w3, "BytesReceived")).isEqualTo(0L); // its own hold
            assertThat(SERVER.getAttribute(other, "BytesReceived")).isEqualTo(0L);
            now.addAndGet(15 * SECOND);
            // w2's series ended at the 3,000 it showed; (other) got nothing (no byte went unshown), and (departed),
            // what departed rows had shown, has no MBean: w2's series counted it.
            assertThat(SERVER.getAttribute(w3, "BytesReceived")).isEqualTo(4_000L);
            assertThat(SERVER.getAttribute(other, "BytesReceived")).isEqualTo(0L);
            assertThat(SERVER.isRegistered(departed)).isFalse();
            assertThat(clientRowsReceived("reader-clients") + 3_000).isEqualTo(12_000L).isEqualTo(stats.snapshot().bytesReceived());
        } finally {
            stats.close();
        }
        assertThat(SERVER.queryNames(new ObjectName(MBeanPublisher.ROWS_DOMAIN + ":name=reader-clients,*"), null))
                .isEmpty();
    }

    /**
     * A client pushed out of the table and back in between two reads counts afresh, from less than its MBean showed.
     * Had that MBean stayed, its series would go down: a reset to Prometheus, but a negative delta of a monotonic sum to
     * OpenTelemetry's SDK under delta temporality (it subtracts consecutive observations of a series seen at both).
     * So the MBean goes at that read, its series ending with what it showed, and a new one, born at zero, comes once
     * the row hold has passed, so that every reader collecting once per hold finds the series absent in between; the
     * series' increases still add up to the totals.
     */
    @Test
    void aClientOutAndBackInBetweenTwoReadsEndsItsSeriesAndStartsANewOne() throws Exception {
        AtomicLong now = new AtomicLong(1_000 * SECOND);
        BandwidthStats stats = twoClientRows("reader-churn", now);
        ObjectName endpointRow = MBeanPublisher.rowName("reader-churn", "(unmatched)");
        ObjectName w2 = MBeanPublisher.clientRowName("reader-churn", "w2");
        ObjectName other = MBeanPublisher.clientRowName("reader-churn", "(other)");
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, TopClientsTest.echo()));
             RawHttp http = new RawHttp(server.port())) {
            TopClientsTest.post(http, "w1", 50_000, 10);
            TopClientsTest.post(http, "w2", 3_000, 10);
            Await.completed(stats, 2);
            SERVER.getAttribute(endpointRow, "Requests");
            assertThat(SERVER.getAttribute(w2, "BytesReceived")).isEqualTo(0L); // held from this first read
            assertThat(SERVER.getAttribute(MBeanPublisher.clientRowName("reader-churn", "w1"), "BytesReceived"))
                    .isEqualTo(0L);
            assertThat(SERVER.getAttribute(other, "BytesReceived")).isEqualTo(0L);
            now.addAndGet(15 * SECOND);
            assertThat(SERVER.getAttribute(w2, "BytesReceived")).isEqualTo(3_000L);

            // Before the next read: w3 pushes w2 (the least) out, then w2 comes back in place of w3 (now the least).
            // (A console read between them moves each into the table in that order; it is no reader's read.)
            TopClientsTest.post(http, "w3", 4_000, 10);
            Await.completed(stats, 3);
            assertThat(stats.snapshot().clients()).extracting(ClientSnapshot::client).doesNotContain("w2");
            TopClientsTest.post(http, "w2", 100, 10);
            Await.completed(stats, 4);
            assertThat(stats.snapshot().clients()).extracting(ClientSnapshot::client).contains("w2");
            now.addAndGet(SECOND);
            // The read that finds w2 admitted again: this MBean shows nothing more and goes.
            assertThat(SERVER.getAttribute(w2, "BytesReceived")).isNull();
            assertThat(SERVER.isRegistered(w2)).isFalse();
            // No new MBean for w2 within the hold, so that any reader collecting once per hold sees its series absent.
            now.addAndGet(SECOND);
            SERVER.getAttribute(endpointRow, "Requests");
            assertThat(SERVER.isRegistered(w2)).isFalse();
            now.addAndGet(13 * SECOND);
            SERVER.getAttribute(endpointRow, "Requests");
            assertThat(SERVER.isRegistered(w2)).isFalse();
            // Then a new MBean, held at 0 from its own first read, then w2's bytes since it came back.
            now.addAndGet(SECOND);
            SERVER.getAttribute(endpointRow, "Requests");
            assertThat(SERVER.isRegistered(w2)).isTrue();
            assertThat(SERVER.getAttribute(w2, "BytesReceived")).isEqualTo(0L);
            now.addAndGet(15 * SECOND);
            assertThat(SERVER.getAttribute(w2, "BytesReceived")).isEqualTo(100L);
            assertThat(SERVER.getAttribute(w2, "Requests")).isEqualTo(1L);
            // w3's 4,000 bytes, on no client's row, are (other)'s; with the 3,000 w2's first series ended on, the
            // series add up to every byte.
            assertThat(SERVER.getAttribute(other, "BytesReceived")).isEqualTo(4_000L);
            assertThat(clientRowsReceived("reader-churn") + 3_000).isEqualTo(57_100L).isEqualTo(stats.snapshot().bytesReceived());
        } finally {
            stats.close();
        }
    }

    /**
     * What waits out the hold is bounded: clients that each push the one before out of a one-row table, a read a second
     * apart, leave at most {@link ReaderRows#QUARANTINE_PER_ROW} times the rows (the row and the two fixed ones)
     * remembered, whatever keys clients send.
     */
    @Test
    void theClientsWaitingForANewMBeanAreBounded() throws Exception {
        AtomicLong now = new AtomicLong(1_000 * SECOND);
        BandwidthStats stats = BandwidthStats.builder().name("reader-quarantine").ticker(now::get)
                .clientKey(ClientKey.header("X-Worker-Id")).clientCapacity(1).rowHold(Duration.ofSeconds(15)).build();
        stats.registerMBean(SERVER);
        ObjectName endpointRow = MBeanPublisher.rowName("reader-quarantine", "(unmatched)");
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, TopClientsTest.echo()));
             RawHttp http = new RawHttp(server.port())) {
            for (int i = 1; i <= 40; i++) {
                TopClientsTest.post(http, "c" + i, 1_000 * i, 0);
                Await.completed(stats, i);
                now.addAndGet(SECOND);
                SERVER.getAttribute(endpointRow, "Requests");
                assertThat(SERVER.isRegistered(MBeanPublisher.clientRowName("reader-quarantine", "c" + i))).isTrue();
            }
            assertThat(stats.clientsWaitingForTheirMBean()).isEqualTo(ReaderRows.QUARANTINE_PER_ROW * 3);
            assertThat(SERVER.queryNames(new ObjectName(MBeanPublisher.ROWS_DOMAIN
                    + ":name=reader-quarantine,client=*"), null)).hasSize(2); // c40 and (other)
        } finally {
            stats.close();
        }
    }

    /** BytesReceived summed over every client row MBean of {@code handler}. */
    private static long clientRowsReceived(String handler) throws Exception {
        long rows = 0;
        for (ObjectName client : SERVER.queryNames(new ObjectName(MBeanPublisher.ROWS_DOMAIN + ":name=" + handler
                + ",client=*"), null)) {
            rows += (Long) SERVER.getAttribute(client, "BytesReceived");
        }
        return rows;
    }

    /** Stats keyed by X-Worker-Id with two client rows, held 15 s, on the test's ticker, its MBean registered. */
    private static BandwidthStats twoClientRows(String name, AtomicLong now) {
        BandwidthStats stats = BandwidthStats.builder().name(name).ticker(now::get)
                .clientKey(ClientKey.header("X-Worker-Id")).clientCapacity(2).rowHold(Duration.ofSeconds(15)).build();
        stats.registerMBean(SERVER);
        return stats;
    }
}
