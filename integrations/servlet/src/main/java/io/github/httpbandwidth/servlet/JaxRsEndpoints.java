package io.github.httpbandwidth.servlet;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.ext.Provider;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;

/**
 * Tells {@link ServletEndpoints} which JAX-RS template a request matched: the resource class's {@code @Path}
 * joined with the resource method's ({@code /orders} and {@code {id}} give {@code /orders/{id}}), stored in the
 * request attribute {@link ServletEndpoints#TEMPLATE_ATTRIBUTE}. The application's mapping
 * ({@code @ApplicationPath("/api")}) and context path are added by {@link ServletEndpoints}.
 *
 * <p>A {@link Provider}: found by annotation scanning when this jar is in {@code WEB-INF/lib} (WildFly's RESTEasy
 * scans it); otherwise register it in the application ({@code Application.getClasses()}, or RESTEasy's
 * {@code resteasy.providers} context parameter). A request that matched no resource method (a 404, a 405) keeps
 * the servlet mapping's name. Sub-resource locators are named by the locator's template. Thread-safe.
 *
 * <p>Stability: the class and its no-argument constructor are supported.
 */
@Provider
public final class JaxRsEndpoints implements ContainerRequestFilter {

    @Context
    private ResourceInfo resource;

    @Context
    private HttpServletRequest request;

    public JaxRsEndpoints() {
    }

    @Override
    public void filter(ContainerRequestContext requestContext) {
        if (resource == null || request == null || resource.getResourceClass() == null) {
            return;
        }
        Method method = resource.getResourceMethod();
        String template = join(path(resource.getResourceClass()), method == null ? null : path(method));
        request.setAttribute(ServletEndpoints.TEMPLATE_ATTRIBUTE, template);
    }

    /** Joins two {@code @Path} values with exactly one slash between them, and one in front. */
    static String join(String classPath, String methodPath) {
        String joined = "/" + strip(classPath);
        String tail = strip(methodPath);
        if (!tail.isEmpty()) {
            joined = joined.equals("/") ? joined + tail : joined + "/" + tail;
        }
        return joined;
    }

    private static String strip(String path) {
        if (path == null) {
            return "";
        }
        int from = 0;
        int to = path.length();
        while (from < to && path.charAt(from) == '/') {
            from++;
        }
        while (to > from && path.charAt(to - 1) == '/') {
            to--;
        }
        return path.substring(from, to);
    }

    /** The {@code @Path} of a class or method, or of the interface it implements where JAX-RS also looks. */
    private static String path(AnnotatedElement element) {
        Path own = element.getAnnotation(Path.class);
        if (own != null) {
            return own.value();
        }
        if (element instanceof Class<?> type) {
            for (Class<?> implemented : type.getInterfaces()) {
                Path inherited = implemented.getAnnotation(Path.class);
                if (inherited != null) {
                    return inherited.value();
                }
            }
        } else if (element instanceof Method method) {
            for (Class<?> implemented : method.getDeclaringClass().getInterfaces()) {
                try {
                    Path inherited = implemented.getMethod(method.getName(), method.getParameterTypes())
                            .getAnnotation(Path.class);
                    if (inherited != null) {
                        return inherited.value();
                    }
                } catch (NoSuchMethodException e) {
                    // not declared there
                }
            }
        }
        return null;
    }
}
