package io.github.httpbandwidth;

import io.undertow.server.HandlerWrapper;
import io.undertow.server.HttpHandler;
import org.jboss.common.beans.property.BeanUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link BandwidthFilter} built the way WildFly's {@code ConfiguredHandlerWrapper} builds a configured handler: the
 * no-argument constructor, string parameters mapped onto JavaBean properties by the jboss-common-beans WildFly
 * ships, then {@code wrap}. (WildFly itself: examples/wildfly/check.sh.)
 */
class BandwidthFilterTest {

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    @AfterEach
    void unregister() throws Exception {
        for (ObjectName name : server.queryNames(new ObjectName("io.github.httpbandwidth:type=BandwidthStats,name=filter-*"), null)) {
            server.unregisterMBean(name);
        }
    }

    @Test
    void configuredFromStringParametersItCountsUnderItsName() throws Exception {
        HttpHandler root = asWildFlyConfiguresIt(Map.of("name", "filter-server", "endpointCap", "7",
                "classifier", HeaderClassifier.class.getName())).wrap(TestRoutes.basic());
        try (TestServer http = TestServer.start(root)) {
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(http.uri("/small"))
                    .header(HeaderClassifier.HEADER.toString(), "/by-header").build(),
                    HttpResponse.BodyHandlers.discarding());
        }
        ObjectName name = new ObjectName("io.github.httpbandwidth:type=BandwidthStats,name=filter-server");
        Await.until("the request to count", () -> requests(name) == 1);
        assertThat(server.getAttribute(name, "EndpointCap")).isEqualTo(7);
        assertThat(server.getAttribute(name, "BytesSent")).isEqualTo((long) TestRoutes.SMALL_SIZE);
        assertThat(((TabularData) server.getAttribute(name, "Endpoints")).values())
                .extracting(row -> ((CompositeData) row).get("endpoint"))
                .containsExactlyInAnyOrder("/by-header", "(overflow)", "(unmatched)");

        // The chain built again (a new instance, as WildFly makes per wrap): the name is taken over.
        asWildFlyConfiguresIt(Map.of("name", "filter-server")).wrap(TestRoutes.basic());
        assertThat(requests(name)).isZero();
    }

    /**
     * WildFly's BeanUtils only logs (at FINEST) a value that its property editor or the setter refuses, and goes on:
     * so a bad value must fail {@code wrap}, as a misspelt parameter name fails it in WildFly, naming the parameter
     * and what is allowed; never count with a default in its place.
     */
    @Test
    void aBadParameterFailsTheFilterSayingWhatIsAllowed() {
        Map<Map<String, String>, String> refused = new java.util.LinkedHashMap<>();
        refused.put(Map.of("endpointCap", "0"), "endpointCap: got 0; allowed are 1 to 10000");
        refused.put(Map.of("endpointCap", "2147483648"), "endpointCap: got 2147483648; allowed are 1 to 10000");
        refused.put(Map.of("endpointCap", "many"), "endpointCap: got many; allowed are 1 to 10000");
        refused.put(Map.of("clientCapacity", "5000"), "clientCapacity: got 5000; allowed are 0 (no top clients) to 1000");
        refused.put(Map.of("clientCapacity", "fifty"), "clientCapacity: got fifty; allowed are 0 (no top clients) to 1000");
        refused.put(Map.of("rowHold", "-5"), "rowHold: got -5 s; allowed are 0");
        refused.put(Map.of("rowHold", "30s"), "rowHold: got 30s; allowed are 0");
        refused.put(Map.of("name", "a,b=c"), "name: got \"a,b=c\"; allowed are 1 to 64 characters");
        refused.put(Map.of("classifier", "com.example.Nope"), "classifier: no class com.example.Nope is visible");
        refused.put(Map.of("clientKey", "cookie:sid"), "client key: got \"cookie:sid\"; allowed are remote-address");
        refused.put(Map.of("name", "filter-good", "clientCapacity", "-1", "endpointCap", "64"), "clientCapacity: got -1");
        refused.forEach((parameters, message) -> assertThatThrownBy(
                () -> asWildFlyConfiguresIt(parameters).wrap(TestRoutes.basic())).as(parameters.toString())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message));
        assertThat(server.queryNames(null, null)).noneMatch(n -> n.toString().contains("filter-good"));
    }

    /**
     * What WildFly 39's {@code ConfiguredHandlerWrapper} does with a custom-filter's parameters: a new instance, then
     * {@code BeanUtils.mapJavaBeanProperties} (strict on names: a misspelt one fails at once); {@code wrap} after.
     */
    private static HandlerWrapper asWildFlyConfiguresIt(Map<String, String> parameters) throws Exception {
        HandlerWrapper wrapper = (HandlerWrapper) Class.forName("io.github.httpbandwidth.BandwidthFilter")
                .getConstructor().newInstance();
        Properties properties = new Properties();
        properties.putAll(parameters);
        BeanUtils.mapJavaBeanProperties(wrapper, properties);
        return wrapper;
    }

    private long requests(ObjectName name) {
        try {
            return (Long) server.getAttribute(name, "Requests");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
