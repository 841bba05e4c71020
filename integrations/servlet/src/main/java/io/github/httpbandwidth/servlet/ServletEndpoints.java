package io.github.httpbandwidth.servlet;

import io.github.httpbandwidth.EndpointClassifier;
import io.undertow.server.HttpServerExchange;
import io.undertow.servlet.handlers.ServletRequestContext;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.MappingMatch;

/**
 * Names the exchanges of servlet applications: always the context path first, then the most specific template
 * the application's framework matched, else the servlet mapping; never the raw path.
 *
 * <ol>
 *   <li>A template in the request attribute {@value #TEMPLATE_ATTRIBUTE}, relative to the servlet's mapping: what
 *       {@link JaxRsEndpoints} puts there for JAX-RS ({@code /shop/api/orders/{id}}), and what any framework
 *       adapter may put there.</li>
 *   <li>Spring MVC's best matching pattern ({@code /shop/jobs/{id}}), read from its request attribute; no Spring
 *       class is needed.</li>
 *   <li>The servlet mapping that took the request: {@code /shop/hello} (exact), {@code /shop/files/*} (path),
 *       {@code /shop/*.jsp} (extension), {@code /shop/} (the context root), {@code /shop/*} (the default servlet,
 *       which takes whatever no other mapping took, 404s included).</li>
 * </ol>
 * An exchange that never reached a servlet deployment (another handler, a 400 before routing) is named by
 * {@link EndpointClassifier#routeTemplate()}, else not at all (the unmatched row).
 *
 * <p>Use it in code with {@code BandwidthStats.builder().classifier(new ServletEndpoints())}, in
 * {@code undertow-handlers.conf} with
 * {@code bandwidth(name=shop, classifier=io.github.httpbandwidth.servlet.ServletEndpoints)}, and in WildFly's
 * {@code custom-filter} with the parameter {@code classifier}. Thread-safe and stateless.
 *
 * <p>Stability: the class, its no-argument constructor, {@link #TEMPLATE_ATTRIBUTE} and the order above are
 * supported.
 */
public final class ServletEndpoints implements EndpointClassifier {

    /** A request attribute holding a route template relative to the servlet's mapping (a {@code String}). */
    public static final String TEMPLATE_ATTRIBUTE = "io.github.httpbandwidth.template";

    /** Spring MVC's {@code HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE}, spelled out to need no Spring. */
    static final String SPRING_BEST_MATCHING_PATTERN =
            "org.springframework.web.servlet.HandlerMapping.bestMatchingPattern";

    public ServletEndpoints() {
    }

    @Override
    public String classify(HttpServerExchange exchange) {
        ServletRequestContext context = exchange.getAttachment(ServletRequestContext.ATTACHMENT_KEY);
        if (context == null || !(context.getServletRequest() instanceof HttpServletRequest request)) {
            return EndpointClassifier.routeTemplate().classify(exchange);
        }
        HttpServletMapping mapping = request.getHttpServletMapping();
        String contextPath = request.getContextPath();
        Object template = request.getAttribute(TEMPLATE_ATTRIBUTE);
        if (template == null) {
            template = request.getAttribute(SPRING_BEST_MATCHING_PATTERN);
        }
        if (template instanceof String t) {
            return contextPath + pathPrefix(mapping) + (t.startsWith("/") ? t : "/" + t);
        }
        return mapping == null ? null : contextPath + mappingName(mapping);
    }

    /** The part of the path a {@code /api/*} mapping consumes ({@code /api}): frameworks match what follows. */
    private static String pathPrefix(HttpServletMapping mapping) {
        if (mapping == null || mapping.getMappingMatch() != MappingMatch.PATH) {
            return "";
        }
        String pattern = mapping.getPattern();
        return pattern.endsWith("/*") ? pattern.substring(0, pattern.length() - 2) : pattern;
    }

    private static String mappingName(HttpServletMapping mapping) {
        MappingMatch match = mapping.getMappingMatch();
        if (match == null) {
            return mapping.getPattern();
        }
        return switch (match) {
            case CONTEXT_ROOT -> "/";
            case DEFAULT -> "/*";
            case EXTENSION -> "/" + mapping.getPattern();
            case EXACT, PATH -> mapping.getPattern();
        };
    }
}
