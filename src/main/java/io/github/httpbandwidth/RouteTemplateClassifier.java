package io.github.httpbandwidth;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.PathTemplateMatch;

/** The default classifier: see {@link EndpointClassifier#routeTemplate()}. */
enum RouteTemplateClassifier implements EndpointClassifier {
    INSTANCE;

    @Override
    public String classify(HttpServerExchange exchange) {
        PathTemplateMatch match = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY);
        if (match == null) {
            return null;
        }
        String template = match.getMatchedTemplate();
        String mount = exchange.getResolvedPath();
        return template == null || unmounted(mount) ? template : join(mount, template);
    }

    /** Whether a route behind this resolved path is named by its template alone. */
    static boolean unmounted(String mount) {
        return mount == null || mount.isEmpty() || mount.equals("/");
    }

    /**
     * A route's name behind a mount path: {@code /v1} and {@code /jobs/{id}} (or {@code jobs/{id}}) give
     * {@code /v1/jobs/{id}}.
     */
    static String join(String mount, String template) {
        String prefix = mount.endsWith("/") ? mount.substring(0, mount.length() - 1) : mount;
        return template.isEmpty() || template.startsWith("/") ? prefix + template : prefix + '/' + template;
    }
}
