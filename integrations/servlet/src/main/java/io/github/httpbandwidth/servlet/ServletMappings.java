package io.github.httpbandwidth.servlet;

import io.github.httpbandwidth.EndpointClassifier;
import io.undertow.server.HttpServerExchange;
import io.undertow.servlet.handlers.ServletPathMatch;
import io.undertow.servlet.handlers.ServletRequestContext;

/**
 * Names the exchanges of servlet applications by the servlet mapping that took the request, behind the context path:
 * {@code /shop/hello} (exact), {@code /shop/files/*} (path), {@code /shop/*.jsp} (extension), {@code /shop/} (the
 * context root), {@code /shop/*} (the default servlet, which takes whatever no other mapping took, 404s included);
 * never the raw path. These are the names {@link ServletEndpoints} gives when no framework template applies.
 *
 * <p>It reads only Undertow's own servlet classes, none of the servlet API's, so it runs on {@code javax} servers
 * (Undertow 2.2: WildFly 26, JBoss EAP 7.4) as on {@code jakarta} ones (Undertow 2.3 and 2.4), as does
 * {@link ServletEndpoints}, which also reads JAX-RS, Spring MVC and WebSocket templates.
 *
 * <p>The name is that of the request the client made: a forward, an asynchronous dispatch or an error page that
 * served it does not rename it. An exchange that never reached a servlet deployment is named by
 * {@link EndpointClassifier#routeTemplate()}, else not at all (the unmatched row).
 *
 * <p>Use it in code with {@code BandwidthStats.builder().classifier(new ServletMappings())}, in
 * {@code undertow-handlers.conf} with
 * {@code bandwidth(name=shop, classifier=io.github.httpbandwidth.servlet.ServletMappings)}, and in WildFly's
 * {@code custom-filter} with the parameter {@code classifier}. Thread-safe and stateless.
 *
 * <p>Stability: the class, its no-argument constructor and the names above are supported.
 */
public final class ServletMappings implements EndpointClassifier {

    public ServletMappings() {
    }

    @Override
    public String classify(HttpServerExchange exchange) {
        ServletRequestContext context = exchange.getAttachment(ServletRequestContext.ATTACHMENT_KEY);
        if (context == null) {
            return EndpointClassifier.routeTemplate().classify(exchange);
        }
        ServletPathMatch match = context.getOriginalServletPathMatch();
        String pattern = match == null ? null : match.getMatchString();
        return pattern == null ? null : contextPath(context) + mappingName(pattern);
    }

    /** The deployment's context path: {@code /shop}, or empty for the root context. */
    static String contextPath(ServletRequestContext context) {
        return context.getDeployment().getServletContext().getContextPath();
    }

    /**
     * A mapping's name from Undertow's pattern for it, which is the same on 2.2, 2.3 and 2.4: empty for the context
     * root, {@code /} for the default servlet, {@code *.jsp} for an extension, the mapping itself for an exact or a
     * path mapping.
     */
    static String mappingName(String pattern) {
        if (pattern.isEmpty()) {
            return "/";
        }
        if (pattern.equals("/")) {
            return "/*";
        }
        return pattern.startsWith("*.") ? "/" + pattern : pattern;
    }
}
