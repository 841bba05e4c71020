package io.github.httpbandwidth.example;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.PathTemplateMatch;

/** JSON answers, and the route's own parameters. */
final class Responses {

    private Responses() {
    }

    static void json(HttpServerExchange exchange, int status, String json) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send(json + "\n");
    }

    /**
     * A parameter of the matched route template. Never from {@code getQueryParameters()}: Undertow adds route
     * parameters after query parameters of the same name, so {@code ?id=2} would win there.
     */
    static String routeParameter(HttpServerExchange exchange, String name) {
        PathTemplateMatch match = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY);
        return match == null ? null : match.getParameters().get(name);
    }

    static void error(HttpServerExchange exchange, int status, String message) {
        json(exchange, status, "{\"error\":" + Json.quote(message) + "}");
    }
}
