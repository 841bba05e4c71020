package io.github.httpbandwidth.springboot;

import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A top-clients setting the library refuses stops the application, with the library's message. */
class RefusedSettingsTest {

    @Test
    void aClientKeyThatIsNoKeyStopsTheApplicationSayingWhatIsAllowed() {
        assertThatThrownBy(() -> start("bandwidth.client-key=header:Authorization"))
                .rootCause().hasMessageContaining("Authorization").hasMessageContaining("X-Worker-Id");
        assertThatThrownBy(() -> start("bandwidth.client-key=token"))
                .rootCause().hasMessageContaining("token").hasMessageContaining("remote-address");
    }

    @Test
    void aCapacityOutOfRangeStopsTheApplicationSayingWhatIsAllowed() {
        assertThatThrownBy(() -> start("bandwidth.client-capacity=5000"))
                .rootCause().hasMessageContaining("5000").hasMessageContaining("1000");
    }

    private static void start(String setting) {
        new SpringApplicationBuilder(JobsApplication.class).web(WebApplicationType.SERVLET)
                .properties("server.port=0", "bandwidth.name=refused", setting).run().close();
    }
}
