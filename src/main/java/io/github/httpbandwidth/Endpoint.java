package io.github.httpbandwidth;

/** An endpoint row: its name and its index, which places its counters in {@link BandwidthStats}' slots. */
final class Endpoint {

    final String name;
    final int index;

    Endpoint(String name, int index) {
        this.name = name;
        this.index = index;
    }
}
