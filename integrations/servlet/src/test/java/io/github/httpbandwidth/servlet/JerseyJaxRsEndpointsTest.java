package io.github.httpbandwidth.servlet;

import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.ServletInfo;
import org.glassfish.jersey.servlet.ServletContainer;

/**
 * {@link JaxRsEndpointsTest}'s application and requests on real Jersey (3.1, Spring Boot 3.5's; its {@code javax}
 * twin runs on Jersey 2 with {@code -Pjavax}) in place of RESTEasy: {@link JaxRsEndpoints} reads only the JAX-RS API,
 * so every request has the same row, template and bytes on either implementation.
 */
class JerseyJaxRsEndpointsTest extends JaxRsEndpointsTest {

    @Override
    ServletInfo jaxRsServlet() {
        return Servlets.servlet("rest", ServletContainer.class)
                .addInitParam("jakarta.ws.rs.Application", Shop.class.getName());
    }
}
