package io.github.httpbandwidth.servlet;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;

import java.io.IOException;

/**
 * Keeps the template of the handler that took a request for {@link ServletEndpoints}, before an error page can
 * replace it. Spring MVC keeps its best matching pattern in a request attribute, and an error page that Spring MVC
 * serves too (Spring Boot's {@code /error}) overwrites it: without this filter, an exception or an error status from
 * {@code /jobs/{id}} is named by its servlet mapping; with it, {@code /jobs/{id}}, its status class 5xx or 4xx.
 *
 * <p>When the request's own dispatch ends, it copies Spring MVC's pattern into
 * {@link ServletEndpoints#TEMPLATE_ATTRIBUTE} unless a template is there already. Map it to {@code /*} for the
 * {@code REQUEST} and {@code ASYNC} dispatcher types (not {@code ERROR}), asynchronous support on. The Spring Boot
 * starter registers it; a Spring MVC WAR adds it in {@code web.xml}. Without Spring MVC it does nothing but two
 * attribute reads per request.
 *
 * <p>Stability: the class and its no-argument constructor are supported.
 */
public final class TemplateCapture implements Filter {

    public TemplateCapture() {
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        try {
            chain.doFilter(request, response);
        } finally {
            // Also when the handler threw: the container serves the error page after this returns.
            if (request.getAttribute(ServletEndpoints.TEMPLATE_ATTRIBUTE) == null) {
                Object pattern = request.getAttribute(ServletEndpoints.SPRING_BEST_MATCHING_PATTERN);
                if (pattern instanceof String) {
                    request.setAttribute(ServletEndpoints.TEMPLATE_ATTRIBUTE, pattern);
                }
            }
        }
    }
}
