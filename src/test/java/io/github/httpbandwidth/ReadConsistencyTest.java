package io.github.httpbandwidth;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Within one read, no row is ahead of the totals: endpoint rows, status classes and top clients sum to at most
 * the requests and the body bytes of the same snapshot, while two threads complete exchanges as fast as they can.
 * The writers go straight into the stats (no server), so that a read lands between two stores of one completion
 * often enough to be seen.
 */
class ReadConsistencyTest {

    private static final int READS = 200_000;

    @Test
    void rowsNeverRunAheadOfTheTotalsWithinOneRead() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("read-consistency")
                .clientKey(exchange -> exchange.getRequestHeaders().getFirst(HttpString.tryFromString("X-W")))
                .build();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(2);
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int writer = w;
            Thread thread = new Thread(() -> {
                Endpoint[] rows = {stats.endpointOf(ExchangeTallyDriver.routed("/a")),
                        stats.endpointOf(ExchangeTallyDriver.routed("/b"))};
                HttpServerExchange[] exchanges = new HttpServerExchange[4];
                for (int i = 0; i < exchanges.length; i++) {
                    exchanges[i] = new HttpServerExchange(null);
                    exchanges[i].getRequestHeaders().put(HttpString.tryFromString("X-W"), "w" + writer + i);
                    exchanges[i].setStatusCode(i % 2 == 0 ? 200 : 404);
                }
                started.countDown();
                for (long n = 0; !stop.get(); n++) {
                    ExchangeTallyDriver.complete(stats, rows[(int) (n & 1)], exchanges[(int) (n & 3)], 3, 5);
                }
            }, "consistency-writer-" + w);
            thread.start();
            writers.add(thread);
        }
        started.await();
        List<String> violations = new ArrayList<>();
        try {
            for (int i = 0; i < READS && violations.size() < 5; i++) {
                BandwidthSnapshot s = stats.snapshot();
                long rowRequests = s.endpoints().stream().mapToLong(EndpointSnapshot::requests).sum();
                long classRequests = s.statusClasses().stream().mapToLong(StatusClassSnapshot::requests).sum();
                long clientRequests = s.clients().stream().mapToLong(ClientSnapshot::requests).sum();
                long rowBytesIn = s.endpoints().stream().mapToLong(EndpointSnapshot::bytesReceived).sum();
                long clientBytesOut = s.clients().stream().mapToLong(ClientSnapshot::bytesSent).sum();
                if (rowRequests > s.requests() || classRequests > s.requests() || clientRequests > s.requests()
                        || rowBytesIn > s.bytesReceived() || clientBytesOut > s.bytesSent()
                        || s.requestsInFlight() < 0) {
                    violations.add("read " + i + ": requests " + s.requests() + ", on rows " + rowRequests
                            + ", in status classes " + classRequests + ", on clients " + clientRequests
                            + "; bytes in " + s.bytesReceived() + ", on rows " + rowBytesIn + "; bytes out "
                            + s.bytesSent() + ", on clients " + clientBytesOut + "; in flight " + s.requestsInFlight());
                }
            }
        } finally {
            stop.set(true);
            for (Thread thread : writers) {
                thread.join();
            }
        }
        assertThat(violations).isEmpty();
        // At rest, exact.
        BandwidthSnapshot s = stats.snapshot();
        assertThat(s.endpoints().stream().mapToLong(EndpointSnapshot::requests).sum()).isEqualTo(s.requests());
        assertThat(s.clients().stream().mapToLong(ClientSnapshot::requests).sum()).isEqualTo(s.requests());
    }

    /**
     * An upgraded connection opens on one thread and closes on another: a read that took the opens first could see
     * a close whose open it missed, and read -1 connections open.
     */
    @Test
    void upgradedConnectionsOpenNeverReadsBelowZero() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("read-upgrades").clientCapacity(0).build();
        java.util.concurrent.BlockingQueue<Boolean> handedOver = new java.util.concurrent.ArrayBlockingQueue<>(1024);
        AtomicBoolean stop = new AtomicBoolean();
        Thread opener = new Thread(() -> {
            while (!stop.get()) {
                stats.upgradeOpened(stats.cell());
                try {
                    handedOver.put(Boolean.TRUE);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "upgrade-opener");
        Thread closer = new Thread(() -> {
            try {
                // Until the opener has ended (its last open handed over: a put before it ends) and all is closed.
                while (opener.isAlive() || !handedOver.isEmpty()) {
                    if (handedOver.poll(10, java.util.concurrent.TimeUnit.MILLISECONDS) != null) {
                        stats.upgradeClosed(stats.cell());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "upgrade-closer");
        opener.start();
        closer.start();
        long lowest = Long.MAX_VALUE;
        try {
            for (int i = 0; i < READS; i++) {
                lowest = Math.min(lowest, stats.snapshot().upgradedConnectionsOpen());
            }
        } finally {
            stop.set(true);
            opener.join();
            closer.join();
        }
        assertThat(lowest).isGreaterThanOrEqualTo(0);
        assertThat(stats.snapshot().upgradedConnectionsOpen()).isZero();
    }
}
