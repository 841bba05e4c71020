package io.github.httpbandwidth;

/** The units of MBean attributes: each attribute's description ends with one, and its descriptor names it. */
enum Unit {
    BYTES("bytes"),
    BYTES_PER_SECOND("bytes/s"),
    REQUESTS("requests"),
    REQUESTS_PER_SECOND("requests/s"),
    ENDPOINTS("endpoints"),
    CLIENTS("clients"),
    CONNECTIONS("connections"),
    EXCEPTIONS("exceptions"),
    TRANSFERS("transfers"),
    TEXT("text"),
    EPOCH_MILLIS("milliseconds since 1970-01-01T00:00:00Z");

    final String text;

    Unit(String text) {
        this.text = text;
    }
}
