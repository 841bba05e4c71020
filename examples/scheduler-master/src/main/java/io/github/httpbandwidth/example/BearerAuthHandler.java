package io.github.httpbandwidth.example;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;

/** Lets through {@code GET /health} and requests that carry {@code Authorization: Bearer <MASTER_API_KEY>}. */
final class BearerAuthHandler implements HttpHandler {

    private static final String PREFIX = "Bearer ";
    /** Set on an exchange whose bearer token matched. */
    static final AttachmentKey<Boolean> AUTHENTICATED = AttachmentKey.create(Boolean.class);

    private final ApiKey key;
    private final HttpHandler next;

    BearerAuthHandler(ApiKey key, HttpHandler next) {
        this.key = key;
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (exchange.getRequestMethod().equals(Methods.GET) && "/health".equals(exchange.getRequestPath())) {
            next.handleRequest(exchange);
            return;
        }
        String header = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
                && key.matches(header.substring(PREFIX.length()).trim())) {
            exchange.putAttachment(AUTHENTICATED, Boolean.TRUE);
            next.handleRequest(exchange);
            return;
        }
        exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer realm=\"scheduler-master\"");
        Responses.error(exchange, StatusCodes.UNAUTHORIZED,
                "missing or wrong bearer token: send Authorization: Bearer <MASTER_API_KEY from .env>");
    }
}
