package io.github.httpbandwidth;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The MBean as a JMX client sees it: through the platform MBeanServer, by ObjectName, open types only. */
class JmxTest {

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final List<BandwidthStats> opened = new ArrayList<>();

    @AfterEach
    void unregister() {
        opened.forEach(BandwidthStats::close);
    }

    @Test
    void registeringAgainAfterSomeoneUnregisteredByNameRegistersAgain() throws Exception {
        BandwidthStats stats = open("jmx-reregister");
        ObjectName name = stats.registerMBean(server);
        server.unregisterMBean(name);
        assertThat(server.isRegistered(name)).isFalse();

        assertThat(stats.registerMBean(server)).isEqualTo(name);
        assertThat(server.isRegistered(name)).isTrue();
        assertThat(server.getAttribute(name, "Requests")).isEqualTo(0L);
    }

    @Test
    void attributesReadByObjectNameShowLiveTraffic() throws Exception {
        BandwidthStats stats = open("jmx-read");
        ObjectName name = stats.registerMBean(server);
        assertThat(name).isEqualTo(new ObjectName("io.github.httpbandwidth:type=BandwidthStats,name=jmx-read"));

        try (TestServer http = TestServer.start(new BandwidthHandler(stats, TestRoutes.basic()))) {
            HttpClient client = HttpClient.newHttpClient();
            client.send(HttpRequest.newBuilder(http.uri("/small")).build(), HttpResponse.BodyHandlers.discarding());
            client.send(HttpRequest.newBuilder(http.uri("/upload")).POST(HttpRequest.BodyPublishers.ofByteArray(
                    new byte[2000])).build(), HttpResponse.BodyHandlers.discarding());
            Await.completed(stats, 2);
        }

        assertThat(server.getAttribute(name, "BytesReceived")).isEqualTo(2000L);
        assertThat(server.getAttribute(name, "BytesSent")).isEqualTo(1000L + "n=2000".length());
        assertThat(server.getAttribute(name, "Requests")).isEqualTo(2L);
        assertThat(server.getAttribute(name, "RequestsInFlight")).isEqualTo(0L);
        assertThat(server.getAttribute(name, "RequestSizeAverageBytes")).isEqualTo(1000.0);
        assertThat(server.getAttribute(name, "ResponseSizeAverageBytes")).isEqualTo((1000 + 6) / 2.0);
        assertThat(server.getAttribute(name, "EndpointCap")).isEqualTo(BandwidthStats.DEFAULT_ENDPOINT_CAP);

        TabularData endpoints = (TabularData) server.getAttribute(name, "Endpoints");
        CompositeData upload = endpoints.get(new Object[] {"/upload"});
        assertThat(upload.get("bytesReceived")).isEqualTo(2000L);
        assertThat(upload.get("bytesSent")).isEqualTo(6L);
        assertThat(upload.get("requests")).isEqualTo(1L);
        assertThat(endpoints.get(new Object[] {"(unmatched)"})).isNotNull();
        assertThat(endpoints.values()).as("busiest first")
                .extracting(row -> ((CompositeData) row).get("endpoint"))
                .containsExactly("/upload", "/small", "(overflow)", "(unmatched)");
        assertThat(endpoints.get(new Object[] {"(overflow)"})).isNotNull();

        TabularData buckets = (TabularData) server.getAttribute(name, "ResponseSizeBuckets");
        assertThat(buckets.get(new Object[] {"4"}).get("count")).isEqualTo(0L);
        assertThat(buckets.get(new Object[] {"16"}).get("count")).isEqualTo(1L);
        assertThat(buckets.get(new Object[] {"1024"}).get("count")).isEqualTo(2L);
        assertThat(buckets.get(new Object[] {"+Inf"}).get("count")).isEqualTo(2L);
        assertThat(buckets.size()).isEqualTo(33);
    }

    @Test
    void getAttributesReadsEverythingFromOneSnapshot() throws Exception {
        BandwidthStats stats = open("jmx-all");
        ObjectName name = stats.registerMBean(server);
        MBeanAttributeInfo[] infos = server.getMBeanInfo(name).getAttributes();
        String[] names = new String[infos.length];
        for (int i = 0; i < infos.length; i++) {
            names[i] = infos[i].getName();
        }

        AttributeList all = server.getAttributes(name, names);

        assertThat(all).hasSize(names.length);
        Map<String, Object> values = new HashMap<>();
        for (Attribute a : all.asList()) {
            values.put(a.getName(), a.getValue());
        }
        assertThat(values).containsKeys("BytesReceived", "BytesSent", "Requests", "RequestsInFlight",
                "RequestSizeAverageBytes", "ResponseSizeAverageBytes", "StartTimeEpochMillis",
                "BytesReceivedPerSecond1m", "BytesSentPerSecond5m", "RequestsPerSecond15m",
                "RequestSizeBuckets", "ResponseSizeBuckets", "RequestSizeSumBytes", "RequestSizeCount", "Endpoints",
                "OverflowRequests", "ClassifierErrors");
        assertThat(values.get("RequestSizeCount")).isEqualTo(values.get("Requests"));
    }

    @Test
    void everyAttributeHasADescriptionWithItsUnit() throws Exception {
        BandwidthStats stats = open("jmx-info");
        MBeanInfo info = server.getMBeanInfo(stats.registerMBean(server));

        assertThat(info.getDescription()).contains("jmx-info");
        assertThat(info.getAttributes()).hasSizeGreaterThanOrEqualTo(26);
        for (MBeanAttributeInfo attribute : info.getAttributes()) {
            String unit = (String) attribute.getDescriptor().getFieldValue("units");
            assertThat(unit).as(attribute.getName()).isNotBlank();
            assertThat(attribute.getDescription()).as(attribute.getName())
                    .isNotEqualTo(attribute.getName()).endsWith("(" + unit + ")");
            assertThat(attribute.isWritable()).isFalse();
        }
    }

    @Test
    void registeringIsIdempotentAndClosingUnregisters() throws Exception {
        BandwidthStats stats = open("jmx-lifecycle");
        ObjectName first = stats.registerMBean(server);
        ObjectName again = stats.registerMBean(server);

        assertThat(again).isEqualTo(first);
        assertThat(server.isRegistered(first)).isTrue();
        stats.close();
        assertThat(server.isRegistered(first)).isFalse();
        stats.close();
    }

    @Test
    void aTakenNameFailsWithAMessageSayingSo() {
        open("jmx-taken").registerMBean(server);
        BandwidthStats second = open("jmx-taken");

        assertThatThrownBy(() -> second.registerMBean(server))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("io.github.httpbandwidth:type=BandwidthStats,name=jmx-taken")
                .hasMessageContaining("already registered");
    }

    @Test
    void severalInstancesPublishSideBySide() throws Exception {
        ObjectName a = open("jmx-a").registerMBean(server);
        ObjectName b = open("jmx-b").registerMBean(server);

        assertThat(server.queryNames(new ObjectName("io.github.httpbandwidth:type=BandwidthStats,*"), null))
                .contains(a, b);
    }

    @Test
    void oneLineMonitorRegistersInThePlatformServer() throws Exception {
        BandwidthHandler handler = BandwidthHandler.monitor("jmx-monitor", TestRoutes.basic());
        opened.add(handler.stats());

        assertThat(server.isRegistered(new ObjectName("io.github.httpbandwidth:type=BandwidthStats,name=jmx-monitor")))
                .isTrue();
    }

    @Test
    void unknownAttributeSaysSo() {
        BandwidthStats stats = open("jmx-unknown");
        ObjectName name = stats.registerMBean(server);

        assertThatThrownBy(() -> server.getAttribute(name, "Bytes"))
                .hasMessageContaining("no attribute Bytes");
    }

    private BandwidthStats open(String name) {
        BandwidthStats stats = BandwidthStats.builder().name(name).build();
        opened.add(stats);
        return stats;
    }
}
