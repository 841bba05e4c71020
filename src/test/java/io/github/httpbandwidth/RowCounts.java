package io.github.httpbandwidth;

/** An endpoint row's counts without its rates, for comparing rows whole. */
record RowCounts(String endpoint, long bytesReceived, long bytesSent, long requests) {

    static RowCounts of(EndpointSnapshot row) {
        return row == null ? null : new RowCounts(row.endpoint(), row.bytesReceived(), row.bytesSent(), row.requests());
    }
}
