package io.github.httpbandwidth;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.PathTemplateMatch;

import java.util.Map;

/** Records a whole exchange straight into a {@link BandwidthStats}, as a tally does, for tests without a server. */
final class ExchangeTallyDriver {

    private ExchangeTallyDriver() {
    }

    /** An exchange, without a connection, that a router matched to {@code template}. */
    static HttpServerExchange routed(String template) {
        HttpServerExchange exchange = new HttpServerExchange(null);
        exchange.putAttachment(PathTemplateMatch.ATTACHMENT_KEY, new PathTemplateMatch(template, Map.of()));
        return exchange;
    }

    /** An exchange without a connection whose response status is {@code 200}. */
    static void complete(BandwidthStats stats, Endpoint row, long bytesReceived, long bytesSent) {
        complete(stats, row, new HttpServerExchange(null), bytesReceived, bytesSent);
    }

    static void complete(BandwidthStats stats, Endpoint row, HttpServerExchange exchange, long bytesReceived,
                         long bytesSent) {
        StripedCounters.Cell cell = stats.cell();
        stats.exchangeStarted(cell);
        stats.received(cell, bytesReceived);
        stats.sent(cell, bytesSent);
        stats.exchangeCompleted(cell, row, exchange, bytesReceived, bytesSent);
    }
}
