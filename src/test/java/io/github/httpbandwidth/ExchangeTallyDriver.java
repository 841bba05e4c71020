package io.github.httpbandwidth;

/** Records a whole exchange straight into a {@link BandwidthStats}, as a tally does, for tests without a server. */
final class ExchangeTallyDriver {

    private ExchangeTallyDriver() {
    }

    static void complete(BandwidthStats stats, Endpoint row, long bytesReceived, long bytesSent) {
        StripedCounters.Cell cell = stats.cell();
        stats.exchangeStarted(cell);
        stats.received(cell, bytesReceived);
        stats.sent(cell, bytesSent);
        stats.exchangeCompleted(cell, row, bytesReceived, bytesSent);
    }
}
