package io.github.httpbandwidth.servlet;

import io.github.httpbandwidth.BandwidthSnapshot;
import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.EndpointSnapshot;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** The servlet tests' wait for completed exchanges on their rows. */
final class Rows {

    private Rows() {
    }

    /** The named rows with at least one request, once {@code requests} exchanges have completed (20 s at most). */
    static Map<String, Long> requestsByEndpoint(BandwidthStats stats, long requests) {
        // A completion counts its sizes (the snapshot's requests) before its row's request, so the wait is on the
        // rows too: waiting on the total alone could read a row one request short.
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            BandwidthSnapshot snapshot = stats.snapshot();
            Map<String, Long> rows = new TreeMap<>();
            long onRows = 0;
            for (EndpointSnapshot row : snapshot.endpoints()) {
                if (row.requests() > 0) {
                    rows.put(row.endpoint(), row.requests());
                    onRows += row.requests();
                }
            }
            if (snapshot.requests() >= requests && snapshot.requestsInFlight() == 0 && onRows >= requests) {
                return rows;
            }
            assertThat(System.nanoTime() - deadline).as("waiting for " + requests + " exchanges on their rows, "
                    + "have " + rows).isNegative();
            LockSupport.parkNanos(1_000_000);
        }
    }
}
