package io.github.httpbandwidth;

import java.util.concurrent.atomic.LongAdder;

/** The live counters of one endpoint row. Thread-safe; every write is a {@link LongAdder} add. */
final class EndpointCounters {

    final String name;
    final LongAdder bytesReceived = new LongAdder();
    final LongAdder bytesSent = new LongAdder();
    final LongAdder requests = new LongAdder();

    EndpointCounters(String name) {
        this.name = name;
    }

    EndpointSnapshot snapshot() {
        return new EndpointSnapshot(name, bytesReceived.sum(), bytesSent.sum(), requests.sum());
    }
}
