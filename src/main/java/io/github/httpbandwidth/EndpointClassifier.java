package io.github.httpbandwidth;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.PathTemplateMatch;

/**
 * Names the endpoint an exchange belongs to, so its bytes and its request count land on that endpoint's row.
 *
 * <p>Called once per exchange, when it completes, so after every handler has run, whatever read the body before
 * the router did. Return a small, fixed set of names (route templates, not raw paths): names beyond the endpoint
 * cap share the overflow row. Return {@code null} for "no endpoint"; such exchanges share the
 * {@value EndpointTable#UNMATCHED} row. An exception thrown here is caught and counted in {@code ClassifierErrors},
 * and the exchange goes to the unmatched row; the request never notices. Names are made safe for export as
 * {@link EndpointNames} describes; names that become equal share a row.
 *
 * <p>Stability: the interface and {@link #routeTemplate()} are supported; the names the default classifier gives
 * may become more specific in a minor version (as mount prefixes did in 0.2.0), said in the changelog.
 */
@FunctionalInterface
public interface EndpointClassifier {

    /** The endpoint name for this exchange, or {@code null} when it matched no endpoint. */
    String classify(HttpServerExchange exchange);

    /**
     * The route template (for example {@code /jobs/{id}}) that Undertow's {@code RoutingHandler} or
     * {@code PathTemplateHandler} left in the {@link PathTemplateMatch} attachment, behind the path its router is
     * mounted under ({@code /v1/jobs/{id}} for a router added with {@code Handlers.path().addPrefixPath("/v1", ..)};
     * in a servlet deployment, the context path); {@code null} when no template matched. The mount path is the
     * exchange's resolved path when it completes, so a {@code PathHandler} inside a route would lengthen it.
     */
    static EndpointClassifier routeTemplate() {
        return RouteTemplateClassifier.INSTANCE;
    }
}
