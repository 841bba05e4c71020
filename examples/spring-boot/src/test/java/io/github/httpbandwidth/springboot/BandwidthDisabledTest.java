package io.github.httpbandwidth.springboot;

import io.github.httpbandwidth.BandwidthStats;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bandwidth.enabled=false} switches the monitor off: no stats, no handler. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "bandwidth.enabled=false")
class BandwidthDisabledTest {

    @Autowired
    ApplicationContext context;

    @Test
    void noMonitorWhenSwitchedOff() {
        assertThat(context.getBeansOfType(BandwidthStats.class)).isEmpty();
    }
}
