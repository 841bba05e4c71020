package io.github.httpbandwidth.example;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/** JSON answers. */
final class Responses {

    private Responses() {
    }

    static void json(HttpServerExchange exchange, int status, String json) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send(json + "\n");
    }

    static void error(HttpServerExchange exchange, int status, String message) {
        json(exchange, status, "{\"error\":" + Json.quote(message) + "}");
    }
}
