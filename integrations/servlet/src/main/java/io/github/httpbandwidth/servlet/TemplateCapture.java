package io.github.httpbandwidth.servlet;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;

import java.io.IOException;
import java.lang.reflect.Method;

/**
 * Keeps the template of the handler that took a request for {@link ServletEndpoints}, before an error page can
 * replace it. Spring MVC keeps its best matching pattern in a request attribute, and an error page that Spring MVC
 * serves too (Spring Boot's {@code /error}) overwrites it: without this filter, an exception or an error status from
 * {@code /jobs/{id}} is named by its servlet mapping; with it, {@code /jobs/{id}}, its status class 5xx or 4xx.
 *
 * <p>When the request's own dispatch ends, it copies Spring MVC's pattern into
 * {@link ServletEndpoints#TEMPLATE_ATTRIBUTE} unless a template is there already; when Spring MVC left none, the
 * pattern Spring's observation holds ({@link #SPRING_OBSERVATION_CONTEXT}), so that a request Spring Security refused
 * is on the route it asked for, as in {@code http.server.requests}. Map it to {@code /*} for the {@code REQUEST} and
 * {@code ASYNC} dispatcher types (not {@code ERROR}), asynchronous support on. The Spring Boot starter registers it; a
 * Spring MVC WAR adds it in {@code web.xml}. Without Spring MVC it does nothing but three attribute reads per request.
 * {@code JavaxTemplateCapture} is the same filter for {@code javax} servers (a Spring MVC WAR on WildFly 26 or JBoss
 * EAP 7.4), made from this source at build time.
 *
 * <p>Stability: the class and its no-argument constructor are supported.
 */
public final class TemplateCapture implements Filter {

    /**
     * Where Spring's {@code ServerHttpObservationFilter} keeps its observation's context, whose
     * {@code getPathPattern()} (the pattern of {@code http.server.requests}' {@code uri}) Spring MVC sets whenever it
     * matches a handler for the request: also when Spring Security only looked the handler up (its request matchers
     * do, through Spring MVC's {@code HandlerMappingIntrospector}) and then refused the request (401, 403), which
     * leaves no best matching pattern behind.
     */
    static final String SPRING_OBSERVATION_CONTEXT =
            "org.springframework.web.filter.ServerHttpObservationFilter.context";

    /** The public no-argument {@code getPathPattern()} of an observation context's class, or {@code null}. */
    private static final ClassValue<Method> PATH_PATTERN = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
            try {
                Method method = type.getMethod("getPathPattern");
                return method.getReturnType() == String.class ? method : null;
            } catch (NoSuchMethodException | SecurityException e) {
                return null;
            }
        }
    };

    public TemplateCapture() {
    }

    /** The path pattern Spring's observation context holds, or {@code null}. Never throws. */
    static Object observedPattern(Object context) {
        if (context == null) {
            return null;
        }
        Method method = PATH_PATTERN.get(context.getClass());
        if (method == null) {
            return null;
        }
        try {
            return method.invoke(context);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
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
                if (!(pattern instanceof String)) {
                    pattern = observedPattern(request.getAttribute(SPRING_OBSERVATION_CONTEXT));
                }
                if (pattern instanceof String) {
                    request.setAttribute(ServletEndpoints.TEMPLATE_ATTRIBUTE, pattern);
                }
            }
        }
    }
}
