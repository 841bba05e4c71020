package io.github.httpbandwidth.servlet;

import io.github.httpbandwidth.EndpointClassifier;
import io.undertow.server.HttpServerExchange;
import io.undertow.servlet.handlers.ServletPathMatch;
import io.undertow.servlet.handlers.ServletRequestContext;
import io.undertow.servlet.spec.HttpServletRequestImpl;
import io.undertow.servlet.spec.ServletContextImpl;
import io.undertow.util.PathTemplate;
import io.undertow.util.PathTemplateMatcher;

/**
 * Names the exchanges of servlet applications: always the context path first, then the most specific template
 * the application's framework matched, else the servlet mapping; never the raw path.
 *
 * <ol>
 *   <li>A template in the request attribute {@value #TEMPLATE_ATTRIBUTE}, relative to the servlet's mapping: what
 *       {@link JaxRsEndpoints} (on {@code javax} servers {@code JavaxJaxRsEndpoints}) puts there for JAX-RS
 *       ({@code /shop/api/orders/{id}}), and what any framework adapter may put there.</li>
 *   <li>Spring MVC's best matching pattern ({@code /shop/jobs/{id}}), read from its request attribute; no Spring
 *       class is needed.</li>
 *   <li>For a WebSocket handshake (an exchange that switched protocols), the path template of the WebSocket
 *       endpoint ({@code @ServerEndpoint}) it reached: {@code /shop/rooms/{room}}. Its frames are counted on that
 *       row. Read from Undertow's WebSocket container in the deployment, once per deployment.</li>
 *   <li>The servlet mapping that took the request, as {@link ServletMappings} names it: {@code /shop/hello}
 *       (exact), {@code /shop/files/*} (path), {@code /shop/*.jsp} (extension), {@code /shop/} (the context root),
 *       {@code /shop/*} (the default servlet, which takes whatever no other mapping took, 404s included).</li>
 * </ol>
 * An exchange that never reached a servlet deployment (another handler, a 400 before routing) is named by
 * {@link EndpointClassifier#routeTemplate()}, else not at all (the unmatched row).
 *
 * <p>The name is that of the request the client made: a forward, an asynchronous dispatch or an error page that
 * served it does not rename it (its original context and mapping count, not the target's). An error page's own
 * Spring MVC handler (Spring Boot's {@code /error}) overwrites the request's pattern, so after an error dispatch
 * Spring's attribute is not read; {@link TemplateCapture} keeps the request's own pattern for then.
 *
 * <p>It reads Undertow's own servlet classes and no servlet API type, so the same class runs on {@code jakarta} servers
 * (Undertow 2.3 and 2.4: WildFly 27 and later, Spring Boot 3) and on {@code javax} ones (Undertow 2.2: WildFly 26,
 * JBoss EAP 7.4).
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

    /**
     * The servlet API of the server's Undertow, {@code jakarta} (2.3, 2.4) or {@code javax} (2.2): the first part of
     * the specification's attribute names, which the server sets under its own API's names only.
     */
    private static final String API = servletApi();

    /** The servlet context attribute that holds the WebSocket container (the specification's name). */
    static final String WEBSOCKET_CONTAINER = API + ".websocket.server.ServerContainer";

    /** The request attribute of an error dispatch with the response's status (the specification's name). */
    private static final String ERROR_STATUS_CODE = API + ".servlet.error.status_code";

    /** Where a deployment's WebSocket endpoint templates are kept once read: a servlet context attribute. */
    static final String WEBSOCKET_TEMPLATES = "io.github.httpbandwidth.servlet.webSocketTemplates";

    public ServletEndpoints() {
    }

    @Override
    public String classify(HttpServerExchange exchange) {
        ServletRequestContext context = exchange.getAttachment(ServletRequestContext.ATTACHMENT_KEY);
        // Undertow's request, which holds the attributes that the request objects an application sees (wrappers
        // of it) set and read.
        HttpServletRequestImpl request = context == null ? null : context.getOriginalRequest();
        if (request == null) {
            return EndpointClassifier.routeTemplate().classify(exchange);
        }
        // The request as the client made it: a forward, an async dispatch or an error page changes the request's
        // mapping (and may change its context), but not what took the request.
        ServletPathMatch match = context.getOriginalServletPathMatch();
        String pattern = match == null ? null : match.getMatchString();
        String contextPath = ServletMappings.contextPath(context);
        Object template = request.getAttribute(TEMPLATE_ATTRIBUTE);
        if (template == null && !errorDispatched(request)) {
            // After an error dispatch, Spring's pattern is the error page's handler's, not the request's.
            template = request.getAttribute(SPRING_BEST_MATCHING_PATTERN);
        }
        if (template instanceof String t) {
            return contextPath + pathPrefix(pattern) + (t.startsWith("/") ? t : "/" + t);
        }
        if (exchange.isUpgrade()) {
            String endpoint = webSocketTemplate(context);
            if (endpoint != null) {
                return contextPath + endpoint;
            }
        }
        return pattern == null ? null : contextPath + ServletMappings.mappingName(pattern);
    }

    /**
     * The template of the WebSocket endpoint whose path the handshake's request matched, as Undertow's
     * WebSocket filter matches it (servlet path and path info); {@code null} when it matched none (an upgrade by
     * other means, Spring's WebSocket support for instance, which has its own pattern).
     */
    private static String webSocketTemplate(ServletRequestContext context) {
        ServletContextImpl servletContext = context.getDeployment().getServletContext();
        PathTemplateMatcher<?> templates;
        if (servletContext.getAttribute(WEBSOCKET_TEMPLATES) instanceof PathTemplateMatcher<?> known) {
            templates = known;
        } else {
            // Endpoints can only be added while the deployment starts, so what is read at its first handshake stays.
            templates = readWebSocketTemplates(servletContext);
            servletContext.setAttribute(WEBSOCKET_TEMPLATES, templates);
        }
        HttpServletRequestImpl request = context.getOriginalRequest();
        String pathInfo = request.getPathInfo();
        String path = pathInfo == null ? request.getServletPath() : request.getServletPath() + pathInfo;
        PathTemplateMatcher.PathMatchResult<?> match = templates.match(path.startsWith("/") ? path : "/" + path);
        return match == null ? null : (String) match.getValue();
    }

    /**
     * The deployment's WebSocket endpoint templates, from Undertow's container by reflection (its classes are in
     * another module, {@code undertow-websockets-jsr}, which a deployment need not have); none when there is no such
     * container or it is not Undertow's.
     */
    static PathTemplateMatcher<String> readWebSocketTemplates(ServletContextImpl servletContext) {
        PathTemplateMatcher<String> templates = new PathTemplateMatcher<>();
        Object container = servletContext.getAttribute(WEBSOCKET_CONTAINER);
        if (container == null) {
            return templates;
        }
        try {
            Object endpoints = container.getClass().getMethod("getConfiguredServerEndpoints").invoke(container);
            for (Object endpoint : (Iterable<?>) endpoints) {
                if (endpoint.getClass().getMethod("getPathTemplate").invoke(endpoint) instanceof PathTemplate t) {
                    templates.add(t, t.getTemplateString());
                }
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // Another WebSocket implementation, or an Undertow without these methods: the handshakes keep the
            // servlet mapping's name; what was read so far stays.
        }
        return templates;
    }

    /**
     * Whether an error page served the request: Undertow's one way to an error dispatch (2.2 to 2.4,
     * {@code DispatchUtils.dispatchError}) sets the status attribute on its own request, the one read here.
     */
    private static boolean errorDispatched(HttpServletRequestImpl request) {
        return request.getAttribute(ERROR_STATUS_CODE) != null;
    }

    /** {@link #API}, read once from the type Undertow's {@code ServletRequestContext} hands requests out as. */
    private static String servletApi() {
        try {
            return ServletRequestContext.class.getMethod("getServletRequest").getReturnType().getName()
                    .startsWith("javax.") ? "javax" : "jakarta";
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return "jakarta";
        }
    }

    /**
     * The part of the path a {@code /api/*} mapping consumes ({@code /api}): frameworks match what follows. Only a
     * path mapping's pattern ends with {@code /*} (Undertow's patterns: see {@link ServletMappings#mappingName}).
     */
    private static String pathPrefix(String pattern) {
        return pattern != null && pattern.endsWith("/*") ? pattern.substring(0, pattern.length() - 2) : "";
    }
}
