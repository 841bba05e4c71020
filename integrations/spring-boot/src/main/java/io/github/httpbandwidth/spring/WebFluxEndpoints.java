package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.EndpointClassifier;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import org.springframework.core.Ordered;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;
import reactor.core.publisher.Mono;

/**
 * Endpoints of a Spring WebFlux application on Undertow, named by the pattern of the handler that took the request
 * behind the base path ({@code spring.webflux.base-path=/api} and {@code /jobs/{id}} give {@code /api/jobs/{id}}):
 * annotated controllers and functional routes ({@code RouterFunction}, nested ones merged) alike.
 *
 * <p>As a {@link WebFilter} (first of all filters), it keeps the pattern on the Undertow exchange just before the
 * response is committed, when the handler has been chosen, an error handler's answer included; as the
 * {@link EndpointClassifier}, it reads it when the exchange completes. An exchange that no WebFlux handler took
 * (outside the base path, or aborted before its response began) has no pattern and goes to the unmatched row; a
 * request WebFlux answers 404 to is on the static resources' pattern ({@code /**}), as with Spring MVC. Patterns
 * come from the application's code, never from the request.
 */
final class WebFluxEndpoints implements EndpointClassifier, WebFilter, Ordered {

    private static final AttachmentKey<String> PATTERN = AttachmentKey.create(String.class);

    @Override
    public String classify(HttpServerExchange exchange) {
        return exchange.getAttachment(PATTERN);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        HttpServerExchange undertow = undertowExchange(exchange);
        if (undertow != null) {
            exchange.getResponse().beforeCommit(() -> {
                keepPattern(exchange, undertow);
                return Mono.empty();
            });
        }
        return chain.filter(exchange);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    private static HttpServerExchange undertowExchange(ServerWebExchange exchange) {
        try {
            return ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest()) instanceof HttpServerExchange e
                    ? e : null;
        } catch (RuntimeException e) {
            // A request that is neither Spring's own nor a decorator of it has no native request to give.
            return null;
        }
    }

    /** Never throws: it runs as the response is committed, which must not fail for a name. */
    private static void keepPattern(ServerWebExchange exchange, HttpServerExchange undertow) {
        try {
            Object pattern = exchange.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
            if (pattern instanceof PathPattern matched) {
                String base = exchange.getRequest().getPath().contextPath().value();
                undertow.putAttachment(PATTERN, base + matched.getPatternString());
            }
        } catch (RuntimeException e) {
            // The exchange then counts on the unmatched row.
        }
    }
}
