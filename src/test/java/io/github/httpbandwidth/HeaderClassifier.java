package io.github.httpbandwidth;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * For export tests only: the endpoint named by a percent-encoded {@code X-Test-Endpoint} header, else the route
 * template. Public, as a classifier named in configuration must be. Lets a test put any string (quotes, backslashes, non-ASCII, newlines) into an endpoint label.
 */
public final class HeaderClassifier implements EndpointClassifier {

    static final HttpString HEADER = HttpString.tryFromString("X-Test-Endpoint");

    /** Names that stress every layer between the MBean and a Prometheus label. */
    static final String[] AWKWARD_NAMES = {
        "/jobs/{id}", "/a\"quote", "/back\\slash", "/com,ma", "/eq=ual", "/star*", "/what?", "/sp ace",
        "/ünïcødé/ジョブ", "/mix\\\",= *?", "/line\nbreak", "/end\\",
    };
    /** The rows, and so the labels, those names become: control characters as {@code ?} ({@link EndpointNames}). */
    static final String[] AWKWARD_ROWS = java.util.Arrays.stream(AWKWARD_NAMES).map(EndpointTable::rowName)
            .toArray(String[]::new);

    @Override
    public String classify(HttpServerExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst(HEADER);
        if (header != null) {
            return URLDecoder.decode(header, StandardCharsets.UTF_8);
        }
        return EndpointClassifier.routeTemplate().classify(exchange);
    }

    static String encode(String name) {
        return java.net.URLEncoder.encode(name, StandardCharsets.UTF_8);
    }
}
