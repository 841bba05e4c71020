package io.github.httpbandwidth;

import io.undertow.server.HttpHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The largest transfers in flight, asserted mid-transfer: a streamed download and an upload held at known byte
 * counts by the test, read through the MBean, with time moved only by the test's ticker.
 */
class InFlightTest {

    private static final int THRESHOLD = 64 * 1024;
    private static final int CHUNK = 4096;

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final MutableTicker ticker = new MutableTicker();
    private final Semaphore steps = new Semaphore(0);
    private final Semaphore reached = new Semaphore(0);
    private BandwidthStats stats;
    private TestServer http;

    @AfterEach
    void stop() {
        steps.release(100);
        if (http != null) {
            http.close();
        }
        if (stats != null) {
            stats.close();
        }
    }

    @Test
    void aSlowDownloadIsListedWithItsBytesRateAgeAndClientThenLeavesWhenItCompletes() throws Exception {
        ObjectName name = start("inflight-download");
        try (Socket socket = new Socket("127.0.0.1", http.port())) {
            AtomicLong read = drain(socket);
            send(socket, "GET /download HTTP/1.1\r\nHost: x\r\n\r\n");

            // The handler wrote 256 KiB and waits; past the 64 KiB threshold, so listed.
            await(reached);
            Await.until("256 KiB counted", () -> transfers().size() == 1 && transfers().get(0).bytes() == 262_144,
                    () -> transfers().toString());
            stats.sampleRates();
            steps.release();
            await(reached);
            ticker.advance(Duration.ofSeconds(2));
            Await.until("384 KiB counted", () -> transfers().get(0).bytes() == 393_216, () -> transfers().toString());

            TransferSnapshot t = transfers().get(0);
            assertThat(t.endpoint()).isEqualTo("/download");
            assertThat(t.direction()).isEqualTo("outbound");
            assertThat(t.bytesSent()).isEqualTo(393_216);
            assertThat(t.bytesReceived()).isZero();
            // 128 KiB since the sample taken 2 s before.
            assertThat(t.bytesPerSecond()).isEqualTo(65_536.0);
            // Undertow records no start times here: open since it passed the threshold, when the ticker read T.
            assertThat(t.timedFrom()).isEqualTo("threshold");
            assertThat(t.secondsOpen()).isEqualTo(2.0);
            assertThat(t.client()).isEqualTo("127.0.0.1:" + socket.getLocalPort());

            // What a console shows: the attribute and the operation, through the MBeanServer.
            CompositeData row = ((TabularData) server.getAttribute(name, "TransfersInFlight")).get(new Object[] {1});
            assertThat(row.get("endpoint")).isEqualTo("/download");
            assertThat(row.get("bytes")).isEqualTo(393_216L);
            assertThat(row.get("bytesPerSecond")).isEqualTo(65_536.0);
            assertThat(row.get("client")).isEqualTo("127.0.0.1:" + socket.getLocalPort());
            TabularData operation = (TabularData) server.invoke(name, ConsoleMBean.LARGEST_TRANSFERS,
                    new Object[] {5}, new String[] {"int"});
            assertThat(operation.size()).isEqualTo(1);

            steps.release();
            Await.until("the whole body read", () -> read.get() >= 524_288);
            Await.until("the download off the list", () -> transfers().isEmpty());
        }
        assertThat(stats.snapshot().responseSizes().maxBytes()).isEqualTo(524_288);
    }

    @Test
    void aSlowUploadIsListedInboundWhileSmallExchangesNeverAre() throws Exception {
        start("inflight-upload");
        try (Socket socket = new Socket("127.0.0.1", http.port()); Socket small = new Socket("127.0.0.1", http.port())) {
            OutputStream out = uploadHeldAt300KiB(socket);

            AtomicLong smallRead = drain(small);
            send(small, "GET /small HTTP/1.1\r\nHost: x\r\n\r\n");
            Await.until("the small answer", () -> smallRead.get() > TestRoutes.SMALL_SIZE);

            List<TransferSnapshot> listed = transfers();
            assertThat(listed).hasSize(1);
            assertThat(listed.get(0).endpoint()).isEqualTo("/upload");
            assertThat(listed.get(0).direction()).isEqualTo("inbound");
            assertThat(listed.get(0).bytesReceived()).isEqualTo(307_200);
            assertThat(listed.get(0).client()).isEqualTo("127.0.0.1:" + socket.getLocalPort());

            finishUpload(out);
        }
        assertThat(Await.completed(stats, 2).requestSizes().maxBytes()).isEqualTo(524_288);
    }

    /**
     * Listed under a second ago, with no sample a second old: the rate since the request started, as Undertow
     * recorded it. It used to be over the moments since the listing, 0.0 when no byte came in them: a console showed
     * 0 B/s for an upload moving at 256 kB/s (StackScriptTest met it under load). The ticker reads a moment 30 s
     * after the test's first reading of the system's clock, so past the request's start; the read comes 0.5 s after
     * the listing.
     */
    @Test
    void aTransferListedUnderASecondAgoShowsItsRateSinceTheRequestStarted() throws Exception {
        ticker.set(System.nanoTime() + Duration.ofSeconds(30).toNanos());
        stats = BandwidthStats.builder().name("inflight-just-listed").inFlightThresholdBytes(THRESHOLD)
                .ticker(ticker).build();
        http = TestServer.startWith(new BandwidthHandler(stats, TestRoutes.basic()),
                io.undertow.UndertowOptions.RECORD_REQUEST_START_TIME, true);
        try (Socket socket = new Socket("127.0.0.1", http.port())) {
            OutputStream out = uploadHeldAt300KiB(socket);
            ticker.advance(Duration.ofMillis(500));

            TransferSnapshot t = transfers().get(0);
            assertThat(t.timedFrom()).isEqualTo("request start");
            assertThat(t.secondsOpen()).isBetween(0.5, 30.5);
            assertThat(t.bytesPerSecond()).isCloseTo(307_200 / t.secondsOpen(),
                    org.assertj.core.data.Percentage.withPercentage(1e-6));

            finishUpload(out);
        }
    }

    @Test
    void theThresholdIsValidatedAndShown() throws Exception {
        ObjectName name = start("inflight-threshold");
        assertThat(server.getAttribute(name, "InFlightThresholdBytes")).isEqualTo((long) THRESHOLD);
        assertThat(BandwidthStats.builder().build().snapshot().inFlightThresholdBytes()).isEqualTo(1 << 20);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BandwidthStats.builder().inFlightThresholdBytes(0))
                .hasMessage("inFlightThresholdBytes: got 0; allowed are 1 byte or more (default 1048576)");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> stats.largestTransfersInFlight(0))
                .hasMessage("n: got 0; allowed is 1 or more");
    }

    private ObjectName start(String name) {
        stats = BandwidthStats.builder().name(name).inFlightThresholdBytes(THRESHOLD).ticker(ticker).build();
        stats.registerMBean(server);
        ObjectName objectName = MBeanPublisher.consoleName(name, ConsoleMBean.TRANSFERS);
        HttpHandler routes = TestRoutes.basic().get("/download", TestRoutes.blocking(ex -> {
            ex.getResponseHeaders().put(io.undertow.util.Headers.CONTENT_LENGTH, 524_288);
            OutputStream body = ex.getOutputStream();
            write(body, 64);
            reached.release();
            awaitStep();
            write(body, 32);
            reached.release();
            awaitStep();
            write(body, 32);
        }));
        http = TestServer.start(new BandwidthHandler(stats, routes));
        return objectName;
    }

    private List<TransferSnapshot> transfers() {
        return stats.largestTransfersInFlight(10);
    }

    /** Starts a 512 KiB upload on {@code socket} and holds it, listed, at 300 KiB; returns its body stream. */
    private OutputStream uploadHeldAt300KiB(Socket socket) throws IOException {
        drain(socket);
        send(socket, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 524288\r\n\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(new byte[300 * 1024]);
        out.flush();
        Await.until("300 KiB received", () -> transfers().size() == 1 && transfers().get(0).bytes() == 307_200,
                () -> transfers().toString());
        return out;
    }

    /** Sends the rest of {@link #uploadHeldAt300KiB}'s upload and waits until it leaves the list. */
    private void finishUpload(OutputStream out) throws IOException {
        out.write(new byte[524_288 - 300 * 1024]);
        out.flush();
        Await.until("the upload off the list", () -> transfers().isEmpty());
    }

    private static void write(OutputStream body, int chunks) throws IOException {
        byte[] chunk = new byte[CHUNK];
        for (int i = 0; i < chunks; i++) {
            body.write(chunk);
        }
        body.flush();
    }

    private void awaitStep() {
        try {
            if (!steps.tryAcquire(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never released the transfer");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(Semaphore semaphore) throws InterruptedException {
        assertThat(semaphore.tryAcquire(20, TimeUnit.SECONDS)).as("the handler reached its next step").isTrue();
    }

    private static void send(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    /** Reads everything the socket receives on a daemon thread, counting it. */
    private static AtomicLong drain(Socket socket) {
        AtomicLong count = new AtomicLong();
        Thread reader = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (InputStream in = socket.getInputStream()) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    count.addAndGet(n);
                }
            } catch (IOException e) {
                // The test closed the socket.
            }
        }, "in-flight-test-reader");
        reader.setDaemon(true);
        reader.start();
        return count;
    }

    /**
     * When the list is full, an exchange that passes the threshold waits for room: it is listed at its next read or
     * write once others have completed (the list used to forget it for good: 974 listed of 1050 in flight). The
     * tallies are driven as Undertow's conduits drive them, without a server, to have 1050 in flight at once.
     */
    @Test
    void aTransferThatCrossedAFullListIsListedOnceThereIsRoom() {
        BandwidthStats full = BandwidthStats.builder().name("in-flight-full").inFlightThresholdBytes(10)
                .ticker(ticker).build();
        int inFlight = InFlightTransfers.MAX_LISTED + 26;
        java.util.List<ExchangeTally> tallies = new java.util.ArrayList<>();
        java.util.List<io.undertow.server.HttpServerExchange> exchanges = new java.util.ArrayList<>();
        for (int i = 0; i < inFlight; i++) {
            io.undertow.server.HttpServerExchange exchange = new io.undertow.server.HttpServerExchange(null);
            exchange.setSourceAddress(new java.net.InetSocketAddress("127.0.0.1", 1 + i));
            ExchangeTally tally = new ExchangeTally(full, exchange);
            tally.received(20);
            tallies.add(tally);
            exchanges.add(exchange);
        }
        assertThat(full.largestTransfersInFlight(InFlightTransfers.MAX_LISTED)).hasSize(InFlightTransfers.MAX_LISTED);
        for (int i = 0; i < 100; i++) {
            tallies.get(i).exchangeEvent(exchanges.get(i), () -> { });
        }
        for (int i = 100; i < inFlight; i++) {
            tallies.get(i).received(5);
        }
        assertThat(full.largestTransfersInFlight(InFlightTransfers.MAX_LISTED)).hasSize(inFlight - 100);
        assertThat(full.snapshot().requestsInFlight()).isEqualTo(inFlight - 100);
    }
}
