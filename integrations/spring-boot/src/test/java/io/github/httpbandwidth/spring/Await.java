package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthSnapshot;
import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.EndpointSnapshot;

import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** Metrics land when an exchange completes, which can be just after the client has its answer. */
final class Await {

    private Await() {
    }

    /** A snapshot once {@code requests} exchanges have completed and are on their rows and clients (20 s at most). */
    static BandwidthSnapshot completed(BandwidthStats stats, long requests) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        BandwidthSnapshot s = stats.snapshot();
        // A completion counts its sizes (requests()) before its client and then its row: wait for the rows too.
        while ((s.requests() < requests || s.requestsInFlight() > 0
                || s.endpoints().stream().mapToLong(EndpointSnapshot::requests).sum() < requests)
                && System.nanoTime() < deadline) {
            LockSupport.parkNanos(5_000_000);
            s = stats.snapshot();
        }
        assertThat(s.requests()).as("completed exchanges").isEqualTo(requests);
        // A read takes the clients before the rows, so a completion that landed during the read that saw the rows
        // full may be missing from its clients: every completion wanted is now on its client, so read once more.
        return stats.snapshot();
    }

    /**
     * A snapshot read after {@code condition} held (20 s at most). Read again, because a read takes the rows before
     * the totals and the upgraded connections' closes: a close seen in one read may come after frames whose row
     * bytes that read took too early. What was written before what the condition saw is all in the next read.
     */
    static BandwidthSnapshot until(BandwidthStats stats, Predicate<BandwidthSnapshot> condition) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        BandwidthSnapshot s = stats.snapshot();
        while (!condition.test(s) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(5_000_000);
            s = stats.snapshot();
        }
        assertThat(condition).as("condition within 20 s").accepts(s);
        return stats.snapshot();
    }
}
