package io.github.httpbandwidth;

import io.undertow.server.HandlerWrapper;
import io.undertow.server.HttpHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import java.beans.BeanInfo;
import java.beans.Introspector;
import java.beans.PropertyDescriptor;
import java.beans.PropertyEditor;
import java.beans.PropertyEditorManager;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link BandwidthFilter} built the way WildFly's {@code ConfiguredHandlerWrapper} builds a configured handler: the
 * no-argument constructor, string parameters mapped onto JavaBean properties through property editors, then
 * {@code wrap}. (WildFly itself is not run here.)
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
        HttpHandler root = configured(Map.of("name", "filter-server", "endpointCap", "7",
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
        configured(Map.of("name", "filter-server")).wrap(TestRoutes.basic());
        assertThat(requests(name)).isZero();
    }

    @Test
    void aBadParameterSaysWhatIsAllowed() {
        assertThatThrownBy(() -> configured(Map.of("endpointCap", "0")))
                .hasRootCauseInstanceOf(IllegalArgumentException.class)
                .rootCause().hasMessage("endpointCap: got 0; allowed are 1 to 10000");
        assertThatThrownBy(() -> configured(Map.of("classifier", "com.example.Nope")))
                .hasRootCauseInstanceOf(IllegalArgumentException.class)
                .rootCause().hasMessageStartingWith("classifier: no class com.example.Nope is visible");
    }

    /** What ConfiguredHandlerWrapper does: new instance, then each parameter through its property's editor. */
    private static HandlerWrapper configured(Map<String, String> parameters) throws Exception {
        Class<?> type = Class.forName("io.github.httpbandwidth.BandwidthFilter");
        HandlerWrapper wrapper = (HandlerWrapper) type.getConstructor().newInstance();
        BeanInfo info = Introspector.getBeanInfo(type);
        for (Map.Entry<String, String> parameter : parameters.entrySet()) {
            PropertyDescriptor property = null;
            for (PropertyDescriptor d : info.getPropertyDescriptors()) {
                if (d.getName().equals(parameter.getKey())) {
                    property = d;
                }
            }
            assertThat(property).as("a writable property " + parameter.getKey()).isNotNull();
            PropertyEditor editor = PropertyEditorManager.findEditor(property.getPropertyType());
            editor.setAsText(parameter.getValue());
            try {
                property.getWriteMethod().invoke(wrapper, editor.getValue());
            } catch (InvocationTargetException e) {
                throw new IllegalStateException("setting " + parameter.getKey(), e.getCause());
            }
        }
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
