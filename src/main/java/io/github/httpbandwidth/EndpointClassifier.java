package io.github.httpbandwidth;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.PathTemplateMatch;

/**
 * Names the endpoint an exchange belongs to, so its bytes and its request count land on that endpoint's row.
 *
 * <p>Called at most once per exchange, on the thread that moves its first body byte or completes it, so after
 * routing in the usual handler chain. Return a small, fixed set of names (route templates, not raw paths):
 * names beyond the endpoint cap share the overflow row. Return {@code null} for "no endpoint"; such exchanges
 * share the {@value EndpointTable#UNMATCHED} row. An exception thrown here is caught and counted in
 * {@code ClassifierErrors}, and the exchange goes to the unmatched row; the request never notices.
 */
@FunctionalInterface
public interface EndpointClassifier {

    /** The endpoint name for this exchange, or {@code null} when it matched no endpoint. */
    String classify(HttpServerExchange exchange);

    /**
     * The route template (for example {@code /jobs/{id}}) that Undertow's {@code RoutingHandler} or
     * {@code PathTemplateHandler} left in the {@link PathTemplateMatch} attachment; {@code null} when none matched.
     */
    static EndpointClassifier routeTemplate() {
        return RouteTemplateClassifier.INSTANCE;
    }
}

enum RouteTemplateClassifier implements EndpointClassifier {
    INSTANCE;

    @Override
    public String classify(HttpServerExchange exchange) {
        PathTemplateMatch match = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY);
        return match == null ? null : match.getMatchedTemplate();
    }
}
