package io.github.httpbandwidth.servlet;

import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.MappingMatch;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.PathSegment;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.Provider;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tells {@link ServletEndpoints} which JAX-RS template a request matched, stored in the request attribute
 * {@link ServletEndpoints#TEMPLATE_ATTRIBUTE}: the root resource class's {@code @Path}, the {@code @Path} of each
 * sub-resource locator the request went through, and the resource method's ({@code /orders} and {@code {id}} give
 * {@code /orders/{id}}; {@code /users}, the locator's {@code {uid}/prefs} and {@code {key}} give
 * {@code /users/{uid}/prefs/{key}}). The application's mapping ({@code @ApplicationPath("/api")}) and context path
 * are added by {@link ServletEndpoints}; where JAX-RS runs as a filter in front of another servlet (Jersey's filter
 * mode), the application's path, which no servlet mapping covers then, is put in front here ({@link #basePath}).
 *
 * <p>Annotations are found where JAX-RS finds them: a method without JAX-RS annotations of its own takes those of the
 * method it overrides or implements (a superclass first, then an interface), a class without {@code @Path} (a
 * subclass a container made, as CDI does) that of the class it extends or the interface it implements. Only the
 * JAX-RS API is used, so it works with any implementation (RESTEasy on WildFly, Jersey). {@code JavaxJaxRsEndpoints}
 * is the same class for {@code javax.ws.rs} (JAX-RS 2.1: WildFly 26, JBoss EAP 7.4), made from this source at build
 * time.
 *
 * <p>A {@link Provider}: found by annotation scanning when this jar is in {@code WEB-INF/lib} (WildFly's RESTEasy
 * scans it); otherwise register it in the application ({@code Application.getClasses()}, or RESTEasy's
 * {@code resteasy.providers} context parameter). A request that matched no resource method (a 404, a 405) keeps the
 * servlet mapping's name, as does one whose sub-resource locator cannot be told apart from another of its class (two
 * locators that return the same type, whose templates both match the path and whose variables are both among the
 * request's path parameters), or whose path is too long to be matched against the templates (over
 * {@value #MAX_MATCHED_PATH} characters). Nothing here fails a request: an application whose annotations cannot be
 * read keeps the mapping's name. Thread-safe.
 *
 * <p>Stability: the class and its no-argument constructor are supported.
 */
@Provider
public final class JaxRsEndpoints implements ContainerRequestFilter {

    /**
     * The longest path (in characters, without matrix parameters) that is matched against an application's templates
     * to tell two locators apart; a longer one keeps its mapping's row. The path is the client's, the templates'
     * regexes the application's: this bounds what one request can cost here.
     */
    static final int MAX_MATCHED_PATH = 2048;

    /**
     * Each resource class's sub-resource locators (public methods with a {@code @Path} and no HTTP method), read
     * once per class. Kept on the class ({@link ClassValue}), so an application's classes are never held by this
     * one, which may be loaded by a server-wide module.
     */
    private static final ClassValue<Method[]> LOCATORS = new ClassValue<>() {
        @Override
        protected Method[] computeValue(Class<?> type) {
            List<Method> locators = new ArrayList<>();
            for (Method method : type.getMethods()) {
                Method annotated = annotated(method);
                if (!method.isBridge() && !method.isSynthetic() && annotated != null
                        && annotated.isAnnotationPresent(Path.class) && httpMethod(annotated) == null) {
                    locators.add(method);
                }
            }
            return locators.toArray(new Method[0]);
        }
    };

    /**
     * Each method's {@code @Path} as JAX-RS reads it ({@link #annotated}), read on the method's first request and
     * kept on its class, as {@link #LOCATORS} are.
     */
    private static final ClassValue<Map<Method, Optional<String>>> PATHS = new ClassValue<>() {
        @Override
        protected Map<Method, Optional<String>> computeValue(Class<?> type) {
            return new ConcurrentHashMap<>();
        }
    };

    /**
     * The templates that tell two locators apart, parsed once (the application's own annotations, so as many as it
     * has); empty for one that is not a valid template.
     */
    private final Map<String, Optional<JaxRsTemplate>> templates = new ConcurrentHashMap<>();

    /** The application's path beyond its servlet mapping, as its first request had it ({@link #applicationPath}). */
    private volatile String firstApplicationPath;

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
        String template;
        try {
            UriInfo uri = requestContext.getUriInfo();
            template = template(resource.getResourceClass(), resource.getResourceMethod(), uri);
            if (template != null && uri != null) {
                template = applicationPath(basePath(uri.getBaseUri().getRawPath(), request.getContextPath(),
                        request.getHttpServletMapping())) + template;
            }
        } catch (RuntimeException | LinkageError e) {
            // An application's classes that cannot be read as expected: the request keeps its mapping's name.
            return;
        }
        if (template != null) {
            request.setAttribute(ServletEndpoints.TEMPLATE_ATTRIBUTE, template);
        }
    }

    /**
     * The template of a request that matched {@code method} of {@code resourceClass}, through the sub-resource
     * locators {@code uri}'s matched resources say it went through; {@code null} when a locator cannot be told.
     */
    String template(Class<?> resourceClass, Method method, UriInfo uri) {
        String methodPath = method == null ? null : path(method);
        List<Object> matched = uri == null ? List.of() : uri.getMatchedResources();
        if (matched.size() < 2) {
            return join(path(resourceClass), methodPath);
        }
        // The current resource first, the root last.
        String template = join(path(matched.get(matched.size() - 1).getClass()), null);
        for (int i = matched.size() - 1; i > 0; i--) {
            Method locator = locator(matched.get(i).getClass(), matched.get(i - 1).getClass(), template, uri);
            if (locator == null) {
                return null;
            }
            template = join(template, path(locator));
        }
        return join(template, methodPath);
    }

    /**
     * {@code extra} when it is the application's path its first request had, else nothing: an application's path
     * does not change from one request to the next, so one that does would come from the request, and a request's
     * own path never goes into a name.
     */
    String applicationPath(String extra) {
        String known = firstApplicationPath;
        if (known == null) {
            firstApplicationPath = extra;
            return extra;
        }
        return known.equals(extra) ? extra : "";
    }

    /**
     * The part of the application's base path ({@code rawBase}) that neither the context path nor the servlet's
     * mapping covers, which {@link ServletEndpoints} adds: empty for a JAX-RS servlet mapped at the application's path
     * ({@code /api/*} with {@code @ApplicationPath("/api")}, or RESTEasy's mapping prefix), the application's path
     * where JAX-RS runs as a filter in front of another servlet (Jersey with {@code spring.jersey.type=filter}:
     * {@code /rest}). Empty when the three do not fit together.
     */
    static String basePath(String rawBase, String contextPath, HttpServletMapping mapping) {
        String base = "/" + strip(rawBase);
        String context = contextPath == null ? "" : contextPath;
        if (!base.startsWith(context) || !(base.length() == context.length() || base.charAt(context.length()) == '/')) {
            return "";
        }
        String extra = base.substring(context.length());
        if (extra.equals("/")) {
            return "";
        }
        if (mapping != null && mapping.getMappingMatch() == MappingMatch.PATH && mapping.getPattern().endsWith("/*")) {
            String mapped = mapping.getPattern().substring(0, mapping.getPattern().length() - 2);
            if (extra.equals(mapped)) {
                return "";
            }
            return extra.startsWith(mapped + "/") ? extra.substring(mapped.length()) : "";
        }
        return extra;
    }

    /**
     * The locator of {@code parent} that gave a resource of type {@code child} on this request: the one locator
     * whose return type can be the child, or else the one whose template, after {@code before}, matches the path and
     * has only variables the request has path parameters of.
     */
    private Method locator(Class<?> parent, Class<?> child, String before, UriInfo uri) {
        List<Method> candidates = new ArrayList<>();
        for (Method locator : LOCATORS.get(parent)) {
            Class<?> returned = locator.getReturnType();
            if (returned.isAssignableFrom(child) || returned == Class.class) {
                candidates.add(locator);
            }
        }
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        // The path as templates match it: its segments without their matrix parameters (";x=1").
        StringBuilder segments = new StringBuilder();
        for (PathSegment segment : uri.getPathSegments(false)) {
            segments.append('/').append(segment.getPath());
        }
        if (segments.length() > MAX_MATCHED_PATH) {
            return null;
        }
        String path = segments.length() == 0 ? "/" : segments.toString();
        Set<String> parameters = uri.getPathParameters(false).keySet();
        Method found = null;
        for (Method candidate : candidates) {
            Optional<JaxRsTemplate> parsed =
                    templates.computeIfAbsent(join(before, path(candidate)), JaxRsTemplate::parse);
            if (parsed.isPresent() && parsed.get().matched(path, parameters)) {
                if (found != null) {
                    return null;
                }
                found = candidate;
            }
        }
        return found;
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

    /** The {@code @Path} of a class: its own, or that of the nearest class it extends or interface it implements. */
    private static String path(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            Path own = c.getAnnotation(Path.class);
            if (own != null) {
                return own.value();
            }
        }
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> implemented : c.getInterfaces()) {
                Path inherited = implemented.getAnnotation(Path.class);
                if (inherited != null) {
                    return inherited.value();
                }
            }
        }
        return null;
    }

    /** The {@code @Path} of a resource method or locator, where JAX-RS reads it ({@link #annotated}). */
    private static String path(Method method) {
        return PATHS.get(method.getDeclaringClass()).computeIfAbsent(method, m -> Optional.ofNullable(readPath(m)))
                .orElse(null);
    }

    private static String readPath(Method method) {
        Method annotated = annotated(method);
        Path path = annotated == null ? null : annotated.getAnnotation(Path.class);
        return path == null ? null : path.value();
    }

    /**
     * The method whose JAX-RS annotations {@code method} has: itself when it has any, else the method it overrides in
     * the nearest superclass that has some, else the one of an interface (JAX-RS's annotation inheritance);
     * {@code null} when none has any.
     */
    static Method annotated(Method method) {
        if (hasJaxRsAnnotations(method)) {
            return method;
        }
        if (Modifier.isStatic(method.getModifiers()) || Modifier.isPrivate(method.getModifiers())) {
            return null;
        }
        Class<?> declaring = method.getDeclaringClass();
        for (Class<?> c = declaring.getSuperclass(); c != null && c != Object.class; c = c.getSuperclass()) {
            Method overridden = declared(c, method);
            if (overridden != null && hasJaxRsAnnotations(overridden)) {
                return overridden;
            }
        }
        for (Class<?> c = declaring; c != null; c = c.getSuperclass()) {
            Method implemented = inInterfaces(c.getInterfaces(), method);
            if (implemented != null) {
                return implemented;
            }
        }
        return null;
    }

    private static Method inInterfaces(Class<?>[] interfaces, Method method) {
        for (Class<?> implemented : interfaces) {
            Method declared = declared(implemented, method);
            if (declared != null && hasJaxRsAnnotations(declared)) {
                return declared;
            }
            Method deeper = inInterfaces(implemented.getInterfaces(), method);
            if (deeper != null) {
                return deeper;
            }
        }
        return null;
    }

    private static Method declared(Class<?> type, Method method) {
        try {
            return type.getDeclaredMethod(method.getName(), method.getParameterTypes());
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static boolean hasJaxRsAnnotations(Method method) {
        return method.isAnnotationPresent(Path.class) || httpMethod(method) != null;
    }

    /** The HTTP method annotation ({@code @GET}, or any annotated with {@link HttpMethod}) on the method itself. */
    private static Annotation httpMethod(Method method) {
        for (Annotation annotation : method.getAnnotations()) {
            if (annotation.annotationType().isAnnotationPresent(HttpMethod.class)) {
                return annotation;
            }
        }
        return null;
    }
}
