package io.github.httpbandwidth;

import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The HTTP body bandwidth of everything that passes through one {@link BandwidthHandler}: bytes in and out,
 * requests, body size histograms and per-endpoint rows, readable as a {@link BandwidthSnapshot} and published
 * as a JMX MBean.
 *
 * <pre>{@code
 * BandwidthStats stats = BandwidthStats.builder().name("api").build();
 * stats.registerMBean(ManagementFactory.getPlatformMBeanServer());
 * Undertow.builder()
 *         .addHttpListener(8080, "127.0.0.1")
 *         .setHandler(new BandwidthHandler(stats, routes))
 *         .build().start();
 * }</pre>
 *
 * <p>What is counted: request body bytes as the application (or Undertow's drain of an unread body) reads them,
 * after de-chunking; response body bytes as each write returns, after any compression done inside the handler,
 * before TLS; never headers or chunk framing. HEAD, 1xx, 204 and 304 responses have no body and count 0 bytes
 * out. Requests, and the size histograms, are recorded once per exchange when it completes, whatever its status.
 *
 * <p>Thread-safe and lock-free for request threads: each adds to counters that only it writes (no atomic
 * read-modify-write, no contention); readers sum them. See {@code StripedCounters}.
 *
 * <p>Stability: the builder's options, {@link #snapshot()}, {@link #registerMBean}, {@link #close()}, the ObjectName
 * and the MBean's attribute names and units are the supported API. New attributes may appear in a minor version;
 * none is renamed or removed without a major one (0.x: a minor one, said in the changelog).
 */
public final class BandwidthStats implements AutoCloseable {

    /** The JMX domain of every MBean this library registers. */
    public static final String JMX_DOMAIN = "io.github.httpbandwidth";
    /**
     * The default endpoint cap: generous for a service's route table (tens of templates), small enough that a
     * scrape of all rows through the JMX exporter stays cheap, and a hard bound on memory under a path flood.
     */
    public static final int DEFAULT_ENDPOINT_CAP = 256;
    /** The largest endpoint cap allowed. */
    public static final int MAX_ENDPOINT_CAP = 10_000;

    /** What an endpoint cap may be, as refusals say it. */
    static final String ENDPOINT_CAP_ALLOWED = "1 to " + MAX_ENDPOINT_CAP;

    /** What a client capacity may be, as refusals say it. */
    static final String CLIENT_CAPACITY_ALLOWED = "0 (no top clients) to " + ClientTable.MAX_CAPACITY + " (default "
            + ClientTable.DEFAULT_CAPACITY + ")";

    /** {@code endpointCap} when allowed; else refused under {@code parameter}, the name its writer gave it. */
    static int checkedEndpointCap(String parameter, int endpointCap) {
        if (endpointCap < 1 || endpointCap > MAX_ENDPOINT_CAP) {
            throw new IllegalArgumentException(parameter + ": got " + endpointCap + "; allowed are "
                    + ENDPOINT_CAP_ALLOWED);
        }
        return endpointCap;
    }

    /** {@code clientCapacity} when allowed; else refused under {@code parameter}, the name its writer gave it. */
    static int checkedClientCapacity(String parameter, int clientCapacity) {
        if (clientCapacity < 0 || clientCapacity > ClientTable.MAX_CAPACITY) {
            throw new IllegalArgumentException(parameter + ": got " + clientCapacity + "; allowed are "
                    + CLIENT_CAPACITY_ALLOWED);
        }
        return clientCapacity;
    }

    private static final LongSupplier SYSTEM_TICKER = System::nanoTime;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private static final Comparator<EndpointSnapshot> BUSIEST_FIRST =
            Comparator.comparingLong((EndpointSnapshot e) -> e.bytesReceived() + e.bytesSent()).reversed()
                    .thenComparing(EndpointSnapshot::endpoint);

    /** How many transfers in flight the MBean's attribute lists; its operation gives more. */
    static final int TRANSFERS_SHOWN = 10;

    /*
     * Every counter is a slot of one StripedCounters: exchanges started, body bytes received and sent as they move,
     * upgraded connections opened and closed, second passes of an exchange through the handler (each also counted
     * as started), the largest body sizes (stamped maxima, see SizeMaxima), the request and the response size
     * histograms, then the endpoint rows' slots (RowSlots: each row's own and its status classes').
     */
    private static final int STARTED = 0;
    private static final int BYTES_RECEIVED = 1;
    private static final int BYTES_SENT = 2;
    private static final int UPGRADES_OPENED = 3;
    private static final int UPGRADES_CLOSED = 4;
    private static final int REPEATED = 5;
    private static final int MAXIMA = 6;
    private static final int FIXED_SLOTS = MAXIMA + SizeMaxima.WIDTH;

    private final String name;
    /** On an exchange whose body was read before this stats' handler ran, once that body is counted. */
    final AttachmentKey<Boolean> bodyReadBeforeCounted = AttachmentKey.create(Boolean.class);
    private final Clock clock;
    private final long startTimeMillis;
    private final EndpointTable endpoints;
    /**
     * Whether the exported buckets are the default ones, which the fine sizes nest in: they are then summed from
     * those at each read and not counted apart. Other layouts are counted as well.
     */
    private final boolean sizesFromFine;
    private final SizeHistogram requestSizes;
    private final SizeHistogram responseSizes;
    private final RowSlots rowSlots;
    /** The first of the rows' slots, after the histograms'. */
    private final int rowsBase;
    private final StripedCounters counters;
    private final RateTracker rates;
    /** The histograms' and rows' slots, sampled for their rise over the last minute. */
    private final RateTracker lastMinute;
    private final SizeMaxima maxima;
    /** The console's fine sizes ({@link FineSizes}) over the last minute: their counts at each tick. */
    private final FineWindow fineWindow;
    private final InFlightTransfers inFlight;
    /** The top clients; {@code null} when the builder's client capacity is 0. */
    private final ClientTable clients;
    private final long inFlightThresholdBytes;
    private final List<ListenerWire> listeners = new CopyOnWriteArrayList<>();
    private final LongSupplier ticker;
    private final RowHold rowHold;
    private final ReaderRows readerRows;
    private final boolean sampleInBackground;
    private RateSampler sampler;
    private final MBeanPublisher publisher;
    /** Reads of every counter ({@link #snapshot(boolean)}), for tests of what a read costs. */
    private final AtomicLong wholeReads = new AtomicLong();

    private BandwidthStats(Builder builder) {
        this.name = builder.name;
        this.clock = builder.clock;
        this.startTimeMillis = clock.millis();
        this.rowHold = new RowHold(builder.rowHold != null ? builder.rowHold : RowHold.defaultHold());
        // Before the endpoint table, whose fixed rows are admitted at once.
        this.publisher = new MBeanPublisher(name, builder.ticker, rowHold);
        this.endpoints = new EndpointTable(builder.classifier, builder.endpointCap, this::rowAdmitted);
        int histogramWidth = SizeHistogram.width(builder.sizeBuckets);
        this.sizesFromFine = builder.sizeBuckets == SizeBuckets.defaultLayout();
        this.requestSizes = new SizeHistogram(builder.sizeBuckets, FIXED_SLOTS);
        this.responseSizes = new SizeHistogram(builder.sizeBuckets, FIXED_SLOTS + histogramWidth);
        this.rowsBase = FIXED_SLOTS + 2 * histogramWidth;
        this.rowSlots = new RowSlots(rowsBase, FIXED_SLOTS);
        // Room for a few rows at first; a thread's cell grows when it first counts for a later row.
        this.counters = new StripedCounters(rowSlots.length(8), rowSlots.length(EndpointTable.maxRows(builder.endpointCap)),
                MAXIMA, FIXED_SLOTS, this, 2 * FineSizes.CHUNKS, FineSizes::newChunk, FineSizes::fold);
        this.maxima = new SizeMaxima(MAXIMA);
        this.inFlightThresholdBytes = builder.inFlightThresholdBytes;
        this.inFlight = new InFlightTransfers(inFlightThresholdBytes);
        this.clients = builder.clientCapacity == 0 ? null : new ClientTable(builder.clientKey, builder.clientCapacity);
        this.ticker = builder.ticker;
        this.readerRows = new ReaderRows(this, builder.ticker, publisher, rowHold, builder.clientCapacity);
        long start = ticker.getAsLong();
        this.rates = new RateTracker(3, start);
        this.lastMinute = new RateTracker(0, start, RateTracker.ONE_MINUTE_NANOS);
        this.fineWindow = new FineWindow(start);
        // An injected ticker is moved by its test, which takes the samples itself.
        this.sampleInBackground = builder.ticker == SYSTEM_TICKER;
        startSampler();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The instance name, the {@code name} key of the MBean's ObjectName. */
    public String name() {
        return name;
    }

    /** {@code io.github.httpbandwidth:type=BandwidthStats,name=<name>}. */
    public ObjectName objectName() {
        return MBeanPublisher.objectName(name);
    }

    /** Reads every counter once; see {@link BandwidthSnapshot} for what agrees with what. */
    public BandwidthSnapshot snapshot() {
        return snapshot(false);
    }

    /**
     * The view the BandwidthStats MBean shows, and so the JMX exporter reads: the same as {@link #snapshot()} but
     * that its endpoint rows, status classes and clients are born at zero ({@link RowHold}).
     */
    BandwidthSnapshot exportedSnapshot() {
        return snapshot(true);
    }

    /**
     * The clients as the exported view shows them at {@code now}, each kept client's admission number put into
     * {@code admissions} ({@link ClientTable#exported(RowHold, long, Map)}); none when off.
     */
    List<ClientSnapshot> exportedClients(long now, Map<String, Long> admissions) {
        return clients == null ? List.of() : clients.exported(rowHold, now, admissions);
    }

    private BandwidthSnapshot snapshot(boolean exported) {
        wholeReads.incrementAndGet();
        long now = ticker.getAsLong();
        maxima.advance(counters, rates.tick(now));
        // A completion writes (after the live totals) its row's bytes, the largest sizes, the histograms (whose count
        // is the requests), its client, and last its row's request, each with a release store. A reader that
        // reads them in the opposite order, each with an acquire load, sees every store that came before any it
        // sees: so the clients first, then the rows, the histograms, the largest sizes, the live totals and the
        // exchanges started, and no row, status class or client is ever ahead of the totals read after it.
        // Upgraded connections: the closes before the opens, so that the open count never reads below zero.
        List<ClientSnapshot> topClients = clients == null ? List.of()
                : exported ? clients.exported(rowHold, now) : clients.snapshot();
        String[] names = endpoints.names();
        long[] sums = new long[rowSlots.length(names.length)];
        counters.sumInto(sums, rowsBase, sums.length);
        counters.sumInto(sums, FIXED_SLOTS, rowsBase);
        FineSizes.Read[] fine = readSizes(sums, names.length, now);
        rowSlots.foldClassesIntoRows(sums, names.length);
        long[] largest = maxima.read(counters);
        counters.sumInto(sums, UPGRADES_CLOSED, REPEATED);
        counters.sumInto(sums, BYTES_RECEIVED, UPGRADES_CLOSED);
        counters.sumInto(sums, REPEATED, MAXIMA);
        counters.sumInto(sums, STARTED, BYTES_RECEIVED);

        long[] sampled = rowSlots.lastMinuteSlots(sums, names.length);
        long[] rise = lastMinute.increases(now, sampled, 0, 0, sampled.length);
        double spanSeconds = rise[rise.length - 1] / 1e9;
        long[] risen = rowSlots.spread(rise, names.length);

        HistogramSnapshot requestSnapshot = requestSizes.snapshot(sums, largest[0], fine[0]);
        HistogramSnapshot responseSnapshot = responseSizes.snapshot(sums, largest[1], fine[1]);
        List<EndpointSnapshot> rows = rowSlots.rows(names, sums, risen, spanSeconds);
        List<StatusClassSnapshot> statusClasses = rowSlots.statusClasses(names, sums);
        long bytesReceived = sums[BYTES_RECEIVED];
        long bytesSent = sums[BYTES_SENT];
        long overflowRequests = rows.get(1).requests();
        if (exported) {
            rowHold.apply(rows, statusClasses, now);
        }
        rows.sort(BUSIEST_FIRST);
        long requests = requestSnapshot.count();
        Rate[] rate = rates.rates(now, new long[] {bytesReceived, bytesSent, requests});
        List<ListenerSnapshot> wire = new ArrayList<>(listeners.size());
        for (ListenerWire listener : listeners) {
            wire.add(listener.snapshot());
        }
        return new BandwidthSnapshot(startTimeMillis, bytesReceived, bytesSent, requests,
                sums[STARTED] - sums[REPEATED] - requests, sums[UPGRADES_OPENED] - sums[UPGRADES_CLOSED],
                requestSnapshot, responseSnapshot, rate[0], rate[1], rate[2],
                rows, endpoints.cap(), overflowRequests, endpoints.classifierErrors(),
                requestSizes.snapshot(risen, largest[2], fine[2]), responseSizes.snapshot(risen, largest[3], fine[3]),
                inFlight.largest(TRANSFERS_SHOWN, now), inFlightThresholdBytes, wire, statusClasses, topClients,
                clients == null ? 0 : clients.capacity(), clients == null ? 0 : clients.keyErrors());
    }

    /**
     * One endpoint row as the console's endpoint MBean shows it (never held), read alone: its own slots in each
     * counting thread's row, not every row's, so reading every endpoint MBean is linear in the rows. Its rates come
     * from the last minute's samples, which the background sampler takes every tick; in a tick that has none yet
     * (no sampler: an injected ticker), a whole read takes it.
     */
    EndpointSnapshot endpointRow(String endpoint, int index) {
        long now = ticker.getAsLong();
        if (!lastMinute.sampled(now)) {
            EndpointSnapshot row = snapshot().endpoint(endpoint);
            return row != null ? row : new EndpointSnapshot(endpoint, 0, 0, 0, 0.0, 0.0, 0.0);
        }
        int from = rowSlots.row(index);
        long[] slots = new long[RowSlots.WIDTH];
        counters.sumInto(slots, from, from + RowSlots.WIDTH, from);
        long[] own = RowSlots.own(slots);
        return RowSlots.row(endpoint, own, lastMinute.increasesOf(now, own, 0, rowSlots.lastMinuteIndex(index)));
    }

    /**
     * Reads the fine sizes (after the rows in {@code sums}, before what is read after the histograms), puts into
     * {@code sums} what the histograms' slots derive from other counts: the sums of sizes (every completed exchange's
     * bytes are on its row's status class, as its sizes are recorded) and, with the default buckets, the bucket counts
     * from the fine ones; keeps this tick's fine counts for the last minute. Returns requests' and responses' fine
     * sizes since start, then over the last minute.
     */
    private FineSizes.Read[] readSizes(long[] sums, int rowCount, long now) {
        long[][] chunks = counters.chunks();
        FineSizes.Read request = FineSizes.Read.of(chunks, 0);
        FineSizes.Read response = FineSizes.Read.of(chunks, FineSizes.CHUNKS);
        if (sizesFromFine) {
            FineSizes.intoPowersOfTwo(request, SizeBuckets.defaultLayout(), sums, requestSizes.base());
            FineSizes.intoPowersOfTwo(response, SizeBuckets.defaultLayout(), sums, responseSizes.base());
        }
        sums[requestSizes.sumSlot()] = rowSlots.classSum(sums, rowCount, RowSlots.BYTES_RECEIVED);
        sums[responseSizes.sumSlot()] = rowSlots.classSum(sums, rowCount, RowSlots.BYTES_SENT);
        FineSizes.Read[] earlier = fineWindow.sampleAndBaseline(now, new FineSizes.Read[] {request, response});
        return new FineSizes.Read[] {request, response, request.since(earlier[0]), response.since(earlier[1])};
    }

    /** The {@code n} largest exchanges in flight whose body passed the in-flight threshold, largest first. */
    public List<TransferSnapshot> largestTransfersInFlight(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n: got " + n + "; allowed is 1 or more");
        }
        return inFlight.largest(n, ticker.getAsLong());
    }

    /**
     * Shows the wire figures of {@code server}'s listeners beside this handler's body figures: each listener that
     * has statistics enabled ({@code UndertowOptions.ENABLE_STATISTICS}) gets an MBean under this handler's,
     * {@code ...,listener=<protocol>-<host>-<port>}, with the bytes it read and wrote (headers and framing included)
     * and its requests, corrected where Undertow counts twice (HTTP/2 over ALPN); they are also in
     * {@link BandwidthSnapshot#listeners()}. Call it after {@code server.start()} (and again after a restart).
     *
     * @return the names of the listeners now shown; a listener without statistics is not
     */
    public List<String> watchListeners(Undertow server) {
        Objects.requireNonNull(server, "server");
        List<String> shown = new ArrayList<>();
        for (Undertow.ListenerInfo info : server.getListenerInfo()) {
            ListenerWire listener = ListenerWire.of(info);
            if (listener == null) {
                continue;
            }
            listeners.removeIf(known -> known.name().equals(listener.name()));
            listeners.add(listener);
            shown.add(listener.name());
            publisher.addChild(() -> MBeanPublisher.listenerName(name, listener.name()),
                    () -> new ListenerMBean(this, listener.name()));
        }
        return shown;
    }

    /** The watched listener of that name, as last watched (a restarted server's listener replaces its old one). */
    ListenerSnapshot listenerSnapshot(String listenerName) {
        for (ListenerWire listener : listeners) {
            if (listener.name().equals(listenerName)) {
                return listener.snapshot();
            }
        }
        throw new IllegalStateException("listener " + listenerName + " is not watched");
    }

    /** A new endpoint row: its MBean joins the handler's, wherever that is registered. */
    private void rowAdmitted(Endpoint row) {
        publisher.addChild(() -> MBeanPublisher.endpointName(name, row.name), () -> new EndpointMBean(this, row));
        publisher.addChild(() -> MBeanPublisher.rowName(name, row.name),
                () -> new RowMBean(readerRows, rowHold, row.name));
    }

    /**
     * The MBeans that go with the handler's: the console views, two per endpoint row (the console's and the readers'
     * {@link RowMBean}), one per watched listener, one per client row of the readers' view ({@link ClientRowMBean}).
     */
    Map<ObjectName, Supplier<Object>> children() {
        Map<ObjectName, Supplier<Object>> children = new LinkedHashMap<>();
        children.put(MBeanPublisher.consoleName(name, ConsoleMBean.SIZES), () -> ConsoleMBean.sizes(this));
        children.put(MBeanPublisher.consoleName(name, ConsoleMBean.TRANSFERS), () -> ConsoleMBean.transfers(this));
        children.put(MBeanPublisher.totalsRowName(name), () -> new TotalsRowMBean(readerRows, rowHold));
        String[] rows = endpoints.names();
        for (int i = 0; i < rows.length; i++) {
            String row = rows[i];
            Endpoint endpoint = new Endpoint(row, i);
            children.put(MBeanPublisher.endpointName(name, row), () -> new EndpointMBean(this, endpoint));
            children.put(MBeanPublisher.rowName(name, row), () -> new RowMBean(readerRows, rowHold, row));
        }
        for (ListenerWire listener : listeners) {
            children.put(MBeanPublisher.listenerName(name, listener.name()),
                    () -> new ListenerMBean(this, listener.name()));
        }
        children.putAll(readerRows.clientChildren());
        return children;
    }

    /**
     * Registers this instance's MBean under {@link #objectName()}. Idempotent per server. While an MBean of this
     * instance is registered, a background task samples its rates; it stops when the last one is unregistered,
     * by {@link #close()} or by anyone else.
     *
     * @throws IllegalStateException when another MBean already holds that name
     */
    public ObjectName registerMBean(MBeanServer server) {
        ObjectName name = publisher.register(this, server, false);
        startSampler();
        return name;
    }

    /**
     * As {@link #registerMBean}, but an MBean of the same name registered by an earlier copy of this library (the
     * same application's previous deployment, whose {@code undertow-handlers.conf} is parsed again) is replaced. For
     * an instance made to be registered so (from configuration), which nothing else holds: when it cannot be, it is
     * closed before the exception goes on, so that no background sampling is left behind by a refused configuration.
     */
    ObjectName registerMBeanReplacingEarlier(MBeanServer server) {
        try {
            ObjectName name = publisher.register(this, server, true);
            startSampler();
            return name;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Unregisters every MBean {@link #registerMBean} registered and stops the background rate sampling. Counting
     * goes on (rates then move only when read); calling it again is harmless.
     */
    @Override
    public void close() {
        stopSampler();
        publisher.unregisterAll();
    }

    /** Its MBean in {@code server} was unregistered, by whoever: with none left, background sampling stops. */
    void mbeanUnregistered(MBeanServer server) {
        if (publisher.forget(server)) {
            stopSampler();
        }
    }

    /** Whether a background task samples the rates (tests). */
    synchronized boolean samplingInBackground() {
        return sampler != null;
    }

    private synchronized void stopSampler() {
        if (sampler != null) {
            sampler.cancel();
            sampler = null;
        }
    }

    private synchronized void startSampler() {
        if (sampleInBackground && sampler == null) {
            sampler = RateSampler.start(this);
        }
    }

    /**
     * Keeps the current totals, histograms and rows as this tick's samples, unless the tick has them already; moves
     * the largest sizes' window on and samples the transfers in flight; registers the rows-domain MBeans whose wait
     * after a close of this name has passed ({@link MBeanPublisher}).
     */
    void sampleRates() {
        publisher.releaseWaitingRows();
        long now = ticker.getAsLong();
        maxima.advance(counters, rates.tick(now));
        int rowCount = endpoints.names().length;
        long[] totals = new long[rowSlots.length(rowCount)];
        counters.sumInto(totals, rowsBase, totals.length);
        counters.sumInto(totals, FIXED_SLOTS, rowsBase);
        readSizes(totals, rowCount, now);
        rowSlots.foldClassesIntoRows(totals, rowCount);
        counters.sumInto(totals, BYTES_RECEIVED, BYTES_SENT + 1);
        long requests = requestSizes.snapshot(totals, 0, null).count();
        rates.sample(now, new long[] {totals[BYTES_RECEIVED], totals[BYTES_SENT], requests});
        lastMinute.sample(now, rowSlots.lastMinuteSlots(totals, rowCount));
        inFlight.sample(now);
    }

    /** How many per-thread client buffers are held (tests). */
    int clientBuffers() {
        return clients == null ? 0 : clients.buffers();
    }

    /** The characters of the client keys the top clients table and its buffers hold (tests). */
    long clientKeyCharsRetained() {
        return clients == null ? 0 : clients.keyCharsRetained();
    }

    /** The mount paths the endpoint table keeps for mounted routes (tests). */
    List<String> mountsKept() {
        return endpoints.mountsKept();
    }

    /** How many reads of every counter there have been (tests). */
    long wholeReads() {
        return wholeReads.get();
    }

    /** How many per-thread counter rows are live (tests). */
    int counterCells() {
        return counters.cellCount();
    }

    /** How many clients wait for a new row MBean after theirs went (tests). */
    int clientsWaitingForTheirMBean() {
        return readerRows.clientsWaitingForTheirMBean();
    }

    /** The calling thread's counters; use them only on that thread. */
    StripedCounters.Cell cell() {
        return counters.cell(null);
    }

    /** {@code cached} when the calling thread owns it, else the calling thread's counters. */
    StripedCounters.Cell cell(StripedCounters.Cell cached) {
        return counters.cell(cached);
    }

    void exchangeStarted(StripedCounters.Cell cell) {
        cell.add(STARTED, 1);
    }

    Endpoint endpointOf(HttpServerExchange exchange) {
        return endpoints.resolve(exchange);
    }

    void received(StripedCounters.Cell cell, long bytes) {
        cell.add(BYTES_RECEIVED, bytes);
    }

    void sent(StripedCounters.Cell cell, long bytes) {
        cell.add(BYTES_SENT, bytes);
    }

    /**
     * Puts a completed exchange's body bytes on its row's status class (readers add the classes into the row),
     * records its sizes, counts it on its client and on its row. The order is what readers rely on (see
     * {@link #snapshot()}): the largest sizes before the histograms, whose count readers take as the requests, so
     * that the largest sizes are never behind them; the client and the row's request after them, so that neither is
     * ever ahead of them.
     */
    void exchangeCompleted(StripedCounters.Cell cell, Endpoint endpoint, HttpServerExchange exchange,
                           long bodyBytesReceived, long bodyBytesSent) {
        int classSlot = RowSlots.statusClass(rowSlots.row(endpoint.index), exchange.getStatusCode());
        // The row's slots are the highest it writes: one read of the thread's row and one bounds check for all.
        long[] owned = cell.owned(classSlot + RowSlots.REQUESTS);
        if (owned != null) {
            StripedCounters.add(owned, classSlot + RowSlots.BYTES_RECEIVED, bodyBytesReceived);
            StripedCounters.add(owned, classSlot + RowSlots.BYTES_SENT, bodyBytesSent);
            maxima.record(owned, bodyBytesReceived, bodyBytesSent);
            int in = FineSizes.index(bodyBytesReceived);
            FineSizes.record(cell.chunk(in / FineSizes.SUB), in, bodyBytesReceived);
            int out = FineSizes.index(bodyBytesSent);
            FineSizes.record(cell.chunk(FineSizes.CHUNKS + out / FineSizes.SUB), out, bodyBytesSent);
            if (!sizesFromFine) {
                requestSizes.record(owned, bodyBytesReceived);
                responseSizes.record(owned, bodyBytesSent);
            }
            if (clients != null) {
                clients.record(cell, exchange, bodyBytesReceived, bodyBytesSent);
            }
            StripedCounters.add(owned, classSlot + RowSlots.REQUESTS, 1);
            return;
        }
        cell.add(classSlot + RowSlots.BYTES_RECEIVED, bodyBytesReceived);
        cell.add(classSlot + RowSlots.BYTES_SENT, bodyBytesSent);
        maxima.record(cell, bodyBytesReceived, bodyBytesSent);
        int in = FineSizes.index(bodyBytesReceived);
        FineSizes.recordShared(cell.chunk(in / FineSizes.SUB), in, bodyBytesReceived);
        int out = FineSizes.index(bodyBytesSent);
        FineSizes.recordShared(cell.chunk(FineSizes.CHUNKS + out / FineSizes.SUB), out, bodyBytesSent);
        if (!sizesFromFine) {
            requestSizes.record(cell, bodyBytesReceived);
            responseSizes.record(cell, bodyBytesSent);
        }
        if (clients != null) {
            clients.record(cell, exchange, bodyBytesReceived, bodyBytesSent);
        }
        cell.add(classSlot + RowSlots.REQUESTS, 1);
    }

    /** A second pass of an exchange already counted by this instance has completed. */
    void exchangeRepeated(StripedCounters.Cell cell) {
        cell.add(REPEATED, 1);
    }

    long inFlightThresholdBytes() {
        return inFlightThresholdBytes;
    }

    /**
     * On the exchange's thread: one direction of its body passed the in-flight threshold.
     *
     * @return whether the exchange is listed; not while the list is full
     */
    boolean passedInFlightThreshold(ExchangeTally tally, HttpServerExchange exchange, boolean inbound) {
        try {
            return inFlight.list(tally, exchange, endpointOf(exchange), inbound, ticker.getAsLong());
        } catch (RuntimeException e) {
            // Listing must never fail the transfer; it is then only missing from the list.
            return true;
        }
    }

    void inFlightCompleted(ExchangeTally tally) {
        inFlight.remove(tally);
    }

    void upgradeOpened(StripedCounters.Cell cell) {
        cell.add(UPGRADES_OPENED, 1);
    }

    void upgradeClosed(StripedCounters.Cell cell) {
        cell.add(UPGRADES_CLOSED, 1);
    }

    /**
     * Bytes of an upgraded connection go to the totals and to the handshake's row at once: the total first, since
     * readers read rows before totals, so no read sees a row ahead of its total.
     */
    void upgradeReceived(StripedCounters.Cell cell, Endpoint endpoint, long bytes) {
        cell.add(BYTES_RECEIVED, bytes);
        cell.add(rowSlots.row(endpoint.index) + RowSlots.BYTES_RECEIVED, bytes);
    }

    void upgradeSent(StripedCounters.Cell cell, Endpoint endpoint, long bytes) {
        cell.add(BYTES_SENT, bytes);
        cell.add(rowSlots.row(endpoint.index) + RowSlots.BYTES_SENT, bytes);
    }

    /** Options for a {@link BandwidthStats}; every one has a default. */
    public static final class Builder {
        private String name = "default";
        private int endpointCap = DEFAULT_ENDPOINT_CAP;
        private EndpointClassifier classifier = EndpointClassifier.routeTemplate();
        private SizeBuckets sizeBuckets = SizeBuckets.defaultLayout();
        private Clock clock = Clock.systemUTC();
        private LongSupplier ticker = SYSTEM_TICKER;
        private long inFlightThresholdBytes = InFlightTransfers.DEFAULT_THRESHOLD_BYTES;
        private ClientKey clientKey = ClientKey.remoteAddress();
        private int clientCapacity = ClientTable.DEFAULT_CAPACITY;
        private Duration rowHold;

        private Builder() {
        }

        /**
         * How long a new row (an endpoint, an endpoint's status class, a client) shows zero in the MBean's
         * {@code Endpoints}, {@code EndpointStatusClasses} and {@code Clients}, counted from the first read that
         * sees it, before it shows its counts: so Prometheus stores 0 as its first sample and {@code increase()}
         * counts its first exchanges. Make it more than twice the scrape interval. {@link BandwidthStats#snapshot()}
         * and the console MBeans are never held. 0 shows rows as they are. Default: the system property
         * {@value RowHold#PROPERTY} (seconds) when set, else {@value RowHold#DEFAULT_SECONDS} seconds.
         *
         * @throws IllegalArgumentException unless 0 to {@value RowHold#MAX_SECONDS} seconds
         */
        public Builder rowHold(Duration hold) {
            this.rowHold = RowHold.checked("rowHold", Objects.requireNonNull(hold, "rowHold"));
            return this;
        }

        /**
         * Who the top clients ({@code Clients}) are: the example master uses
         * {@code ClientKey.header("X-Worker-Id").orElse(ClientKey.remoteAddress())}. Default
         * {@link ClientKey#remoteAddress()}.
         */
        public Builder clientKey(ClientKey clientKey) {
            this.clientKey = Objects.requireNonNull(clientKey, "clientKey");
            return this;
        }

        /**
         * How many clients the top clients table keeps (K): any client that moved more than 1/K of all body bytes is
         * certain to be kept, and the bytes missing from a kept client's row are at most 1/K of all. Each client is 4
         * series in a scrape (bytes both ways, requests, and the row's error bytes). 0 switches the table off.
         * Default {@value ClientTable#DEFAULT_CAPACITY}.
         *
         * @throws IllegalArgumentException unless 0 to {@value ClientTable#MAX_CAPACITY}
         */
        public Builder clientCapacity(int clientCapacity) {
            this.clientCapacity = checkedClientCapacity("clientCapacity", clientCapacity);
            return this;
        }

        /**
         * The {@code name} key of the ObjectName, so several handlers can publish separate MBeans.
         * Default {@code default}.
         *
         * @throws IllegalArgumentException unless 1 to 64 of {@code A-Z a-z 0-9 . _ -}
         */
        public Builder name(String name) {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("name: got " + (name == null ? "null" : '"' + name + '"')
                        + "; allowed are 1 to 64 characters of A-Z a-z 0-9 . _ -");
            }
            this.name = name;
            return this;
        }

        /**
         * How many named endpoint rows to keep; later names share the {@code (overflow)} row.
         * Default {@value BandwidthStats#DEFAULT_ENDPOINT_CAP}.
         *
         * @throws IllegalArgumentException unless 1 to {@value BandwidthStats#MAX_ENDPOINT_CAP}
         */
        public Builder endpointCap(int endpointCap) {
            this.endpointCap = checkedEndpointCap("endpointCap", endpointCap);
            return this;
        }

        /** How exchanges are named. Default {@link EndpointClassifier#routeTemplate()}. */
        public Builder classifier(EndpointClassifier classifier) {
            this.classifier = Objects.requireNonNull(classifier, "classifier");
            return this;
        }

        /**
         * The finite upper bounds, in bytes, of both size histograms' buckets; {@code +Inf} is added.
         * Default: 0 and the powers of 2 from 1 B to 1 GiB (a bucket spans at most a factor of 2).
         *
         * @throws IllegalArgumentException unless 1 to 64 bounds, each {@code >= 0}, strictly increasing
         */
        public Builder sizeBuckets(long... upperBoundsBytes) {
            this.sizeBuckets = SizeBuckets.of(upperBoundsBytes);
            return this;
        }

        /**
         * The body size past which an exchange in flight is listed among the transfers in flight (the MBean's
         * {@code TransfersInFlight}). Default {@value InFlightTransfers#DEFAULT_THRESHOLD_BYTES} bytes (1 MiB): see
         * the guide for why.
         *
         * @throws IllegalArgumentException unless 1 or more
         */
        public Builder inFlightThresholdBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("inFlightThresholdBytes: got " + bytes
                        + "; allowed are 1 byte or more (default " + InFlightTransfers.DEFAULT_THRESHOLD_BYTES + ")");
            }
            this.inFlightThresholdBytes = bytes;
            return this;
        }

        /** The wall clock for the start time; tests inject one they can move. Default UTC system. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Monotonic nanoseconds for the rates, in place of {@link System#nanoTime()}; for tests, which then take
         * the rate samples themselves through {@code sampleRates()}.
         */
        Builder ticker(LongSupplier nanoTime) {
            this.ticker = Objects.requireNonNull(nanoTime, "ticker");
            return this;
        }

        public BandwidthStats build() {
            return new BandwidthStats(this);
        }
    }
}
