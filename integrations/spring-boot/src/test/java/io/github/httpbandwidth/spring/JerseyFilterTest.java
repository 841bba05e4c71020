package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.testapp.TestApplication;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * {@link JerseyTest} with Jersey as a servlet filter ({@code spring.jersey.type=filter}): the requests are then mapped
 * to Spring MVC's servlet at {@code /}, and Jersey's path ({@code /rest}) comes from its base URI.
 */
@SpringBootTest(classes = {TestApplication.class, JerseyTest.Jersey.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "bandwidth.name=jersey-filter", "bandwidth.row-hold=0s",
                "spring.jersey.application-path=/rest", "spring.jersey.type=filter"})
class JerseyFilterTest extends JerseyTest {

    /** Jersey answers the 404 itself, on a request mapped to the servlet at {@code /}: that mapping's row. */
    @Override
    String unmatchedRow() {
        return "/*";
    }
}
