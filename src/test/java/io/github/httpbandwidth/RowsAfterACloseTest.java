package io.github.httpbandwidth;

import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A monitor started under a name closed less than a row hold ago (a redeployment, a reload) counts from 0: its MBeans
 * of the rows domain, read by OpenTelemetry, come only once the hold since the close has passed, so that a reader finds
 * the series absent in between and never sees them go down. The handler's and the console's MBeans come at once. A
 * JDK-only record of the close is what the next instance reads, whatever its class loader.
 */
class RowsAfterACloseTest {

    private static final Duration HOLD = Duration.ofSeconds(10);
    private static final long SECOND = 1_000_000_000L;

    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final AtomicLong now = new AtomicLong(5 * SECOND);

    private BandwidthStats monitor(String name) {
        return BandwidthStats.builder().name(name).ticker(now::get).rowHold(HOLD).build();
    }

    private Set<ObjectName> rows(String name) throws Exception {
        return server.queryNames(new ObjectName(MBeanPublisher.ROWS_DOMAIN + ":name=" + name + ",*"), null);
    }

    @Test
    void aMonitorOfANameJustClosedShowsItsRowsOnlyAfterTheHoldSinceTheClose() throws Exception {
        BandwidthStats first = monitor("after-close");
        first.registerMBean(server);
        ObjectName totals = MBeanPublisher.totalsRowName("after-close");
        assertThat(rows("after-close")).contains(totals, MBeanPublisher.rowName("after-close", "(unmatched)"));

        now.addAndGet(3 * SECOND);
        first.close();
        assertThat(rows("after-close")).isEmpty();
        ObjectName record = MBeanPublisher.closedName("after-close");
        assertThat(server.isRegistered(record)).as("the record of the close").isTrue();
        assertThat(server.getClassLoaderFor(record)).as("the record's class loader: the JDK's").isNull();

        now.addAndGet(SECOND);
        BandwidthStats next = monitor("after-close");
        try {
            next.registerMBean(server);
            assertThat(server.isRegistered(next.objectName())).isTrue();
            assertThat(server.isRegistered(MBeanPublisher.consoleName("after-close", ConsoleMBean.SIZES))).isTrue();
            assertThat(rows("after-close")).as("within the hold since the close").isEmpty();

            now.addAndGet(8 * SECOND);
            next.sampleRates();
            assertThat(rows("after-close")).as("9 s after the close").isEmpty();

            now.addAndGet(SECOND);
            next.sampleRates();
            assertThat(rows("after-close")).as("10 s after the close").contains(totals,
                    MBeanPublisher.rowName("after-close", "(unmatched)"),
                    MBeanPublisher.rowName("after-close", "(overflow)"));
            assertThat(server.isRegistered(record)).as("the record, once the rows are back").isFalse();
            // Born at zero, as every row: 0 from this MBean's first read until the hold has passed.
            assertThat(server.getAttribute(totals, "Requests")).isEqualTo(0L);
        } finally {
            next.close();
        }
    }

    @Test
    void aMonitorOfANameClosedMoreThanAHoldAgoShowsItsRowsAtOnce() throws Exception {
        BandwidthStats first = monitor("long-closed");
        first.registerMBean(server);
        first.close();
        now.addAndGet(HOLD.toNanos());
        BandwidthStats next = monitor("long-closed");
        try {
            next.registerMBean(server);
            assertThat(rows("long-closed")).contains(MBeanPublisher.totalsRowName("long-closed"));
            assertThat(server.isRegistered(MBeanPublisher.closedName("long-closed"))).isFalse();
        } finally {
            next.close();
        }
    }
}
