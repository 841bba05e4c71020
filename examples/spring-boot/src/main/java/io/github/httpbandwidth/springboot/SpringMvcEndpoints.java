package io.github.httpbandwidth.springboot;

import io.github.httpbandwidth.EndpointClassifier;
import io.undertow.server.HttpServerExchange;
import io.undertow.servlet.handlers.ServletRequestContext;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Names an exchange by the context path and Spring MVC's best matching pattern ({@code /api/jobs/{id}}); without
 * one (a static resource, another servlet, a 404), by the servlet mapping's pattern; never by the raw path.
 */
final class SpringMvcEndpoints implements EndpointClassifier {

    @Override
    public String classify(HttpServerExchange exchange) {
        ServletRequestContext context = exchange.getAttachment(ServletRequestContext.ATTACHMENT_KEY);
        if (context == null || !(context.getServletRequest() instanceof HttpServletRequest request)) {
            return null;
        }
        Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
        if (pattern != null) {
            return request.getContextPath() + pattern;
        }
        HttpServletMapping mapping = request.getHttpServletMapping();
        return mapping == null || mapping.getPattern() == null ? null : request.getContextPath() + mapping.getPattern();
    }
}
