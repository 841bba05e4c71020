package io.github.httpbandwidth;

import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/**
 * The view the exporter reads (the BandwidthStats MBean's tables, through the platform MBeanServer), with a ticker the
 * test moves: rows born at zero, and clients that leave the table putting nothing on {@code (other)} that their own
 * rows had shown. Traffic through a real Undertow.
 */
class RowHoldTest {

    private static final long SECOND = 1_000_000_000L;
    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();
    private static final ClientKey WORKER = ClientKey.header("X-Worker-Id");

    /** Endpoints, status classes and clients: 0 from the first read that sees them until the hold has passed. */
    @Test
    void newRowsShowZeroFromTheirFirstReadUntilTheHoldHasPassed() throws Exception {
        AtomicLong now = new AtomicLong(1_000 * SECOND);
        BandwidthStats stats = BandwidthStats.builder().name("hold-rows").ticker(now::get).clientKey(WORKER)
                .rowHold(Duration.ofSeconds(15)).build();
        ObjectName name = stats.registerMBean(SERVER);
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, TopClientsTest.echo()));
             RawHttp http = new RawHttp(server.port())) {
            assertThat(clients(name)).containsExactly(entry("(other)", List.of(0L, 0L, 0L)));

            TopClientsTest.post(http, "w1", 3_000, 100);
            TopClientsTest.post(http, null, 7, 0);
            Await.completed(stats, 2);
            // Seen for the first time now: held, while the totals and snapshot() show everything.
            assertThat(endpoints(name)).containsEntry("/echo", List.of(0L, 0L, 0L));
            assertThat(classes(name)).containsEntry("2xx /echo", List.of(0L, 0L, 0L));
            assertThat(clients(name)).containsExactly(entry("w1", List.of(0L, 0L, 0L)),
                    entry("(unidentified)", List.of(0L, 0L, 0L)), entry("(other)", List.of(0L, 0L, 0L)));
            assertThat(SERVER.getAttribute(name, "BytesReceived")).isEqualTo(3_007L);
            assertThat(stats.snapshot().client("w1").bytesReceived()).isEqualTo(3_000);
            assertThat(stats.snapshot().endpoint("/echo").bytesReceived()).isEqualTo(3_007);

            now.addAndGet(15 * SECOND - 1);
            assertThat(endpoints(name)).containsEntry("/echo", List.of(0L, 0L, 0L));
            TopClientsTest.post(http, "w1", 1_000, 0, 404);
            Await.completed(stats, 3);
            assertThat(classes(name)).containsEntry("4xx /echo", List.of(0L, 0L, 0L));

            now.addAndGet(1);
            // The hold has passed for what was seen first at 1000 s; the 4xx class was first seen 1 ns ago.
            assertThat(endpoints(name)).containsEntry("/echo", List.of(4_007L, 100L, 3L));
            assertThat(classes(name)).containsEntry("2xx /echo", List.of(3_007L, 100L, 2L))
                    .containsEntry("4xx /echo", List.of(0L, 0L, 0L));
            assertThat(clients(name)).containsExactly(entry("w1", List.of(4_000L, 100L, 2L)),
                    entry("(unidentified)", List.of(7L, 0L, 1L)), entry("(other)", List.of(0L, 0L, 0L)));

            now.addAndGet(15 * SECOND);
            assertThat(classes(name)).containsEntry("4xx /echo", List.of(1_000L, 0L, 1L));
        } finally {
            stats.close();
        }
    }

    /**
     * A client pushed out of a full table after a read showed its row: what the row showed goes to (departed), which
     * the rules leave out, and only what no read saw on its row goes to (other); the rows still add up to the totals.
     */
    @Test
    void aClientThatLeavesPutsOnOtherOnlyWhatItsRowNeverShowed() throws Exception {
        AtomicLong now = new AtomicLong(1_000 * SECOND);
        BandwidthStats stats = BandwidthStats.builder().name("hold-departed").ticker(now::get).clientKey(WORKER)
                .clientCapacity(2).rowHold(Duration.ofSeconds(15)).build();
        ObjectName name = stats.registerMBean(SERVER);
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, TopClientsTest.echo()));
             RawHttp http = new RawHttp(server.port())) {
            TopClientsTest.post(http, "a", 1_000, 0);
            TopClientsTest.post(http, "b", 2_000, 0);
            Await.completed(stats, 2);
            clients(name);
            // Held at 0, each row's error covers what it does not show yet: its bytes lie in [row, row + error].
            assertThat(clientErrors(name)).containsEntry("a", 1_000L).containsEntry("b", 2_000L);
            now.addAndGet(15 * SECOND);
            assertThat(clients(name)).containsExactly(entry("b", List.of(2_000L, 0L, 1L)),
                    entry("a", List.of(1_000L, 0L, 1L)), entry("(other)", List.of(0L, 0L, 0L)));

            // a moves 500 more bytes that no read shows on its row, then c pushes a out.
            TopClientsTest.post(http, "a", 500, 0);
            TopClientsTest.post(http, "c", 5_000, 0);
            Await.completed(stats, 4);
            Map<String, List<Long>> rows = clients(name);
            assertThat(rows).containsExactly(entry("b", List.of(2_000L, 0L, 1L)), entry("c", List.of(0L, 0L, 0L)),
                    entry("(other)", List.of(500L, 0L, 1L)), entry("(departed)", List.of(1_000L, 0L, 1L)));
            // c inherited a's weight (1,500) as its error, and shows none of its 5,000 yet; (other): the least weight.
            assertThat(clientErrors(name)).containsEntry("b", 0L).containsEntry("c", 6_500L).containsEntry("(other)", 2_000L);
            now.addAndGet(15 * SECOND);
            rows = clients(name);
            assertThat(clientErrors(name)).containsEntry("c", 1_500L);
            assertThat(rows).containsEntry("c", List.of(5_000L, 0L, 1L)).containsEntry("(other)", List.of(500L, 0L, 1L));
            assertThat(rows.values().stream().mapToLong(r -> r.get(0)).sum()).isEqualTo(8_500);
            assertThat(rows.values().stream().mapToLong(r -> r.get(2)).sum()).isEqualTo(4);
            assertThat(stats.snapshot().clients()).containsExactly(new ClientSnapshot("c", 5_000, 0, 1, 1_500),
                    new ClientSnapshot("b", 2_000, 0, 1, 0), new ClientSnapshot("(other)", 500, 0, 1, 2_000),
                    new ClientSnapshot("(departed)", 1_000, 0, 1, 0));
        } finally {
            stats.close();
        }
    }

    /** The same with no hold: a read shows a client's row, so what it showed is not put on (other) when it leaves. */
    @Test
    void withoutAHoldTooOtherMovesOnlyWithWhatNoReadShowedOnAClientsRow() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("hold-none-departed").clientKey(WORKER).clientCapacity(2)
                .rowHold(Duration.ZERO).build();
        ObjectName name = stats.registerMBean(SERVER);
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, TopClientsTest.echo()));
             RawHttp http = new RawHttp(server.port())) {
            TopClientsTest.post(http, "a", 1_000, 0);
            TopClientsTest.post(http, "b", 2_000, 0);
            Await.completed(stats, 2);
            assertThat(clients(name)).containsEntry("a", List.of(1_000L, 0L, 1L))
                    .containsEntry("(other)", List.of(0L, 0L, 0L));
            TopClientsTest.post(http, "a", 500, 0);
            TopClientsTest.post(http, "c", 5_000, 0);
            Await.completed(stats, 4);
            // Before: (other) showed 1,500 here, the 1,000 a's row had shown counted a second time.
            assertThat(clients(name)).containsEntry("(other)", List.of(500L, 0L, 1L))
                    .containsEntry("(departed)", List.of(1_000L, 0L, 1L));
        } finally {
            stats.close();
        }
    }

    @Test
    void aHoldOfZeroShowsRowsAsTheyAre() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("hold-none").clientKey(WORKER).rowHold(Duration.ZERO)
                .build();
        ObjectName name = stats.registerMBean(SERVER);
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, TopClientsTest.echo()));
             RawHttp http = new RawHttp(server.port())) {
            TopClientsTest.post(http, "w1", 30, 4);
            Await.completed(stats, 1);
            assertThat(clients(name)).containsEntry("w1", List.of(30L, 4L, 1L));
            assertThat(endpoints(name)).containsEntry("/echo", List.of(30L, 4L, 1L));
        } finally {
            stats.close();
        }
    }

    /** undertow-handlers.conf's row-hold and WildFly's rowHold reach the handler (the suite's default is 0). */
    @Test
    void theConfigurationParametersSetTheHold() throws Exception {
        BandwidthFilter filter = new BandwidthFilter();
        filter.setName("hold-filter");
        filter.setRowHold("30");
        io.undertow.server.HandlerWrapper conf = new BandwidthHandlerBuilder()
                .build(Map.of("name", "hold-conf", "row-hold", "30"));
        for (io.undertow.server.HandlerWrapper wrapper : List.of(filter, conf)) {
            BandwidthHandler handler = (BandwidthHandler) wrapper.wrap(TopClientsTest.echo());
            try (TestServer server = TestServer.start(handler); RawHttp http = new RawHttp(server.port())) {
                TopClientsTest.post(http, null, 10, 5);
                Await.completed(handler.stats(), 1);
                assertThat(endpoints(handler.stats().objectName())).containsEntry("/echo", List.of(0L, 0L, 0L));
                assertThat(handler.stats().snapshot().endpoint("/echo").bytesReceived()).isEqualTo(10);
            } finally {
                handler.stats().close();
            }
        }
        assertThatThrownBy(() -> new BandwidthFilter().setRowHold("-5"))
                .hasMessageStartingWith("rowHold: got -5 s; allowed are 0");
    }

    @Test
    void aBadHoldIsRefusedNamingWhereItCameFrom() {
        assertThatThrownBy(() -> BandwidthStats.builder().rowHold(Duration.ofSeconds(-1)))
                .hasMessageStartingWith("rowHold: got -1 s; allowed are 0 (rows shown as they are) to 3600 seconds");
        assertThatThrownBy(() -> BandwidthStats.builder().rowHold(Duration.ofHours(2)))
                .hasMessageStartingWith("rowHold: got 7200 s; allowed");
        assertThatThrownBy(() -> new BandwidthHandlerBuilder().build(Map.of("name", "hold-bad", "row-hold", "2m")))
                .hasMessageStartingWith("row-hold: got 2m; allowed are 0");
        String before = System.getProperty(RowHold.PROPERTY);
        try {
            System.setProperty(RowHold.PROPERTY, "ten");
            assertThatThrownBy(() -> BandwidthStats.builder().build())
                    .hasMessageStartingWith(RowHold.PROPERTY + ": got ten; allowed are 0");
            System.clearProperty(RowHold.PROPERTY);
            assertThat(RowHold.defaultHold()).isEqualTo(Duration.ofSeconds(RowHold.DEFAULT_SECONDS));
        } finally {
            if (before == null) {
                System.clearProperty(RowHold.PROPERTY);
            } else {
                System.setProperty(RowHold.PROPERTY, before);
            }
        }
    }

    /** The Clients table as the MBean shows it: client to [bytesReceived, bytesSent, requests], in its order. */
    static Map<String, List<Long>> clients(ObjectName name) throws Exception {
        return table((TabularData) SERVER.getAttribute(name, "Clients"), "client");
    }

    /** The Clients table's errorBytes, client to error. */
    static Map<String, Long> clientErrors(ObjectName name) throws Exception {
        Map<String, Long> errors = new java.util.LinkedHashMap<>();
        for (Object row : ((TabularData) SERVER.getAttribute(name, "Clients")).values()) {
            javax.management.openmbean.CompositeData c = (javax.management.openmbean.CompositeData) row;
            errors.put((String) c.get("client"), (Long) c.get("errorBytes"));
        }
        return errors;
    }

    static Map<String, List<Long>> endpoints(ObjectName name) throws Exception {
        return table((TabularData) SERVER.getAttribute(name, "Endpoints"), "endpoint");
    }

    /** Keyed {@code "<class> <endpoint>"}. */
    static Map<String, List<Long>> classes(ObjectName name) throws Exception {
        return table((TabularData) SERVER.getAttribute(name, "EndpointStatusClasses"), "statusClass", "endpoint");
    }

    private static Map<String, List<Long>> table(TabularData data, String... keys) {
        Map<String, List<Long>> rows = new LinkedHashMap<>();
        for (Object value : data.values()) {
            CompositeData row = (CompositeData) value;
            StringBuilder key = new StringBuilder();
            for (String k : keys) {
                key.append(key.length() == 0 ? "" : " ").append(row.get(k));
            }
            rows.put(key.toString(), List.of((Long) row.get("bytesReceived"), (Long) row.get("bytesSent"),
                    (Long) row.get("requests")));
        }
        return rows;
    }
}
