package io.github.httpbandwidth;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.server.protocol.http2.Http2ServerConnection;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The top clients of one handler: completed exchanges' body bytes and requests by client key, in a bounded
 * {@link SpaceSaving} table of {@code capacity} clients, plus the fixed rows {@value #UNIDENTIFIED} (no key) and
 * {@value #OTHER} (everything not on a kept client's row), so that the rows add up to every completed exchange.
 *
 * <p>Request threads take no shared lock per exchange: each adds to a small buffer of its own (its
 * {@link StripedCounters.Cell}'s companion: up to {@value #BUFFER} clients, written only by that thread with
 * ordered stores), and empties the buffer into the table, under the table's lock, only when a client not in it
 * arrives and it is full. A reader, under the same lock, first moves into the table what each buffer gained since
 * the last read, so a read sees every completed exchange, and the table is the Space-Saving summary of all of them
 * (its bounds hold whatever the order of arrival). Reads change the table itself, never a copy, so a kept
 * client's counts and {@value #OTHER} only go up between reads. The cell virtual threads share goes to the table
 * directly.
 */
final class ClientTable {

    /** The row of exchanges whose key was {@code null}, or whose key extractor threw. */
    static final String UNIDENTIFIED = "(unidentified)";
    /**
     * The row of the exchanges of clients while they were not kept, and of what a client that left moved on its row
     * after the exported view last showed it.
     */
    static final String OTHER = "(other)";
    /**
     * The row of what the clients that left the table had shown on their own rows when they left: their series
     * counted it already, so the rules file does not export this row; it is there so the rows add up to the totals.
     */
    static final String DEPARTED = "(departed)";
    private static final int UNIDENTIFIED_ROW = 0;
    private static final int OTHER_ROW = 1;
    static final int MAX_NAME_LENGTH = 128;
    /** How far into a key {@link #folded} reads: blanks beyond this many characters never cost more. */
    static final int MAX_FOLDED_SCAN = 4096;
    /**
     * The default number of clients kept: each one is 4 series per scrape (204 per handler in all), and any client
     * that moved more than 2% of the bytes is certain to be kept, with its row missing at most 2% of all bytes.
     */
    static final int DEFAULT_CAPACITY = 50;
    static final int MAX_CAPACITY = 1000;
    static final int BUFFER = 8;

    private static final Object NO_KEY = new Object();
    private static final Comparator<ClientSnapshot> BUSIEST_FIRST =
            Comparator.comparingLong((ClientSnapshot c) -> c.bytesReceived() + c.bytesSent()).reversed()
                    .thenComparing(ClientSnapshot::client);

    private final ClientKey key;
    private final int capacity;
    private final LongAdder keyErrors = new LongAdder();
    /** Guarded by this object's lock, as are the fields below. */
    private final SpaceSaving table;
    private final List<Buffer> buffers = new ArrayList<>();
    private long unidentifiedReceived;
    private long unidentifiedSent;
    private long unidentifiedRequests;
    private long totalReceived;
    private long totalSent;
    private long totalRequests;
    /** When the exported view first showed {@value #UNIDENTIFIED} and {@value #OTHER}. */
    private final long[] fixedSeen = {SpaceSaving.Entry.UNSEEN, SpaceSaving.Entry.UNSEEN};

    ClientTable(ClientKey key, int capacity) {
        this.key = key;
        this.capacity = capacity;
        this.table = new SpaceSaving(capacity);
    }

    int capacity() {
        return capacity;
    }

    /** Buffers of threads that counted and have not been seen ended (tests). */
    synchronized int buffers() {
        return buffers.size();
    }

    /** The characters of the keys the table and the buffers hold: names, and keys kept as strings (tests). */
    synchronized long keyCharsRetained() {
        long chars = 0;
        for (SpaceSaving.Entry e : table.entries()) {
            chars += e.name.length();
        }
        for (Buffer buffer : buffers) {
            for (Object key : buffer.keys) {
                chars += key instanceof String s ? s.length() : 0;
            }
        }
        return chars;
    }

    long keyErrors() {
        return keyErrors.sum();
    }

    /** On the exchange's thread, at completion. Never throws. */
    void record(StripedCounters.Cell cell, HttpServerExchange exchange, long bytesReceived, long bytesSent) {
        Buffer buffer = null;
        if (cell.ownerThread() != null) {
            Object companion = cell.companion();
            buffer = companion instanceof Buffer b ? b : register(cell);
        }
        Object client;
        try {
            client = kept(buffer != null ? buffer.key(key, exchange) : key.key(exchange));
        } catch (Throwable e) {
            // User code (a key, its toString()): whatever it throws, an Error too, the exchange still counts.
            keyErrors.increment();
            client = null;
        }
        if (client == null) {
            client = NO_KEY;
        }
        if (buffer == null) {
            synchronized (this) {
                add(client, bytesReceived, bytesSent, 1);
            }
            return;
        }
        buffer.add(this, client, bytesReceived, bytesSent);
    }

    /**
     * What the buffers keep of a key: an address as it is, a string of up to {@value #MAX_NAME_LENGTH} characters as
     * it is, a longer one (a header value can be a megabyte) {@linkplain #folded folded and cut} to that, anything
     * else by its name, taken here on the request thread. So the buffers and the table hold only strings and
     * addresses, no more than a label's length of any key, and no user code ever runs at a read or under the
     * table's lock.
     *
     * @throws NullPointerException when a key's {@code toString()} gives {@code null} (counted as the key's fault)
     */
    static Object kept(Object key) {
        // A header's or a principal's string first: the commonest key, and String is final (one class compare).
        if (key instanceof String text) {
            return text.length() > MAX_NAME_LENGTH ? folded(text) : text;
        }
        if (key == null || key instanceof InetAddress) {
            return key;
        }
        String name = key.toString();
        if (name == null) {
            throw new NullPointerException("the client key's toString() returned null");
        }
        return name.length() > MAX_NAME_LENGTH ? folded(name) : name;
    }

    private synchronized Buffer register(StripedCounters.Cell cell) {
        // Threads come and go (a worker pool's idle ones end) even where nobody reads: their buffers go here too.
        drainAll();
        Buffer buffer = new Buffer(cell.ownerThread());
        buffers.add(buffer);
        cell.companion(buffer);
        return buffer;
    }

    /** Under the lock. */
    private void add(Object client, long bytesReceived, long bytesSent, long requests) {
        totalReceived += bytesReceived;
        totalSent += bytesSent;
        totalRequests += requests;
        if (client == NO_KEY) {
            unidentifiedReceived += bytesReceived;
            unidentifiedSent += bytesSent;
            unidentifiedRequests += requests;
        } else {
            table.add(name(client), bytesReceived, bytesSent, requests);
        }
    }

    /**
     * The kept clients busiest first, then {@value #UNIDENTIFIED} when it has counted anything, then {@value #OTHER},
     * then {@value #DEPARTED} once a client the exported view had shown left; the rows add up to every exchange
     * completed so far.
     */
    synchronized List<ClientSnapshot> snapshot() {
        return rows(null, 0, null);
    }

    /**
     * The same rows as the view the JMX exporter reads at {@code now} ({@link RowHold}): a client's row shows zero
     * from the first such read that sees it until {@code hold} has passed, as do {@value #UNIDENTIFIED} and
     * {@value #OTHER}; and what each row shows is remembered, so that when a client leaves the table only what its
     * row had shown moves to {@value #DEPARTED}, and the rest, which no reader saw on its row, to {@value #OTHER}.
     */
    synchronized List<ClientSnapshot> exported(RowHold hold, long now) {
        return rows(hold, now, null);
    }

    /**
     * {@link #exported}, with each kept client's admission number put into {@code admissions} by its row's name: a
     * client that left the table and came back since an earlier read has another number, though perhaps the same row.
     */
    synchronized List<ClientSnapshot> exported(RowHold hold, long now, Map<String, Long> admissions) {
        return rows(hold, now, admissions);
    }

    /** Under the lock. */
    private List<ClientSnapshot> rows(RowHold hold, long now, Map<String, Long> admissions) {
        drainAll();
        List<ClientSnapshot> rows = new ArrayList<>(capacity + 3);
        long[] departed = table.departedShown();
        long otherReceived = totalReceived - unidentifiedReceived - departed[0];
        long otherSent = totalSent - unidentifiedSent - departed[1];
        long otherRequests = totalRequests - unidentifiedRequests - departed[2];
        for (SpaceSaving.Entry e : table.entries()) {
            otherReceived -= e.bytesReceived;
            otherSent -= e.bytesSent;
            otherRequests -= e.requests;
            if (admissions != null) {
                admissions.put(e.name, e.admission);
            }
            if (hold == null) {
                rows.add(new ClientSnapshot(e.name, e.bytesReceived, e.bytesSent, e.requests, e.error));
                continue;
            }
            if (e.seenNanos == SpaceSaving.Entry.UNSEEN) {
                e.seenNanos = now;
            }
            if (!hold.held(e.seenNanos, now)) {
                e.shownReceived = e.bytesReceived;
                e.shownSent = e.bytesSent;
                e.requestsShown = e.requests;
            }
            // Held, the row does not show all it counted yet: the error covers that too, so that what the client
            // moved since the handler started always lies between the row's bytes and those plus its error.
            rows.add(new ClientSnapshot(e.name, e.shownReceived, e.shownSent, e.requestsShown,
                    e.error + (e.bytesReceived - e.shownReceived) + (e.bytesSent - e.shownSent)));
        }
        rows.sort(BUSIEST_FIRST);
        if (unidentifiedRequests > 0) {
            rows.add(hold != null && held(hold, UNIDENTIFIED_ROW, now)
                    ? new ClientSnapshot(UNIDENTIFIED, 0, 0, 0, 0)
                    : new ClientSnapshot(UNIDENTIFIED, unidentifiedReceived, unidentifiedSent, unidentifiedRequests, 0));
        }
        rows.add(hold != null && held(hold, OTHER_ROW, now)
                ? new ClientSnapshot(OTHER, 0, 0, 0, table.leastWeight())
                : new ClientSnapshot(OTHER, otherReceived, otherSent, otherRequests, table.leastWeight()));
        if (departed[2] > 0) {
            rows.add(new ClientSnapshot(DEPARTED, departed[0], departed[1], departed[2], 0));
        }
        return rows;
    }

    /** Under the lock: whether the fixed row {@code row} is held at {@code now}, stamped at its first read. */
    private boolean held(RowHold hold, int row, long now) {
        if (fixedSeen[row] == SpaceSaving.Entry.UNSEEN) {
            fixedSeen[row] = now;
        }
        return hold.held(fixedSeen[row], now);
    }

    /** Under the lock: moves every buffer's news into the table, and lets go of the buffers of ended threads. */
    private void drainAll() {
        for (Iterator<Buffer> i = buffers.iterator(); i.hasNext(); ) {
            Buffer buffer = i.next();
            // Seen ended before the drain (isAlive() false: its writes are visible), it adds no more after it.
            boolean ended = buffer.ended();
            buffer.drain(this);
            if (ended) {
                i.remove();
            }
        }
    }

    /**
     * A key's name as a row shows it: an address as its text, a string with its blanks {@linkplain #folded folded},
     * made safe as {@link EndpointNames} makes endpoints (control characters as {@code ?}), cut to
     * {@value #MAX_NAME_LENGTH} characters; a name equal to a fixed row's gets a {@code _} in front.
     */
    static String name(Object client) {
        String text = client instanceof InetAddress address ? address.getHostAddress() : folded(client.toString());
        return EndpointNames.notFixed(EndpointNames.safe(text, MAX_NAME_LENGTH), OTHER, UNIDENTIFIED, DEPARTED);
    }

    /**
     * {@code text} without blanks (spaces and tabs) at either end and with each run of them one space, cut to
     * {@value #MAX_NAME_LENGTH} characters (never inside a surrogate pair). So one header value names one row over
     * HTTP/1.1, whose parser in Undertow trims a value and folds a run of blanks that starts with a space, and over
     * HTTP/2, whose decoder hands the value over as the client sent it. It reads at most the first
     * {@value #MAX_FOLDED_SCAN} characters: a megabyte of blanks costs what 4,096 do, and only a value whose name
     * lies further in than that (blanks by the thousand) can name two rows.
     */
    static String folded(String text) {
        int length = text.length();
        if (length <= MAX_NAME_LENGTH && !needsFolding(text)) {
            return text;
        }
        StringBuilder kept = new StringBuilder(Math.min(length, MAX_NAME_LENGTH));
        boolean blank = false;
        int scan = Math.min(length, MAX_FOLDED_SCAN);
        for (int i = 0; i < scan && kept.length() < MAX_NAME_LENGTH; i++) {
            char c = text.charAt(i);
            if (c == ' ' || c == '\t') {
                blank = true;
                continue;
            }
            if (blank && !kept.isEmpty()) {
                kept.append(' ');
                if (kept.length() == MAX_NAME_LENGTH) {
                    break;
                }
            }
            blank = false;
            kept.append(c);
        }
        int end = kept.length();
        if (end > 0 && kept.charAt(end - 1) == ' ') {
            // Cut right after a blank: the end is trimmed like any other.
            end--;
        } else if (end == MAX_NAME_LENGTH && Character.isHighSurrogate(kept.charAt(end - 1))) {
            end--;
        }
        return kept.substring(0, end);
    }

    private static boolean needsFolding(String text) {
        int last = text.length() - 1;
        if (last < 0) {
            return false;
        }
        if (text.charAt(0) == ' ' || text.charAt(last) == ' ') {
            return true;
        }
        for (int i = 0; i <= last; i++) {
            char c = text.charAt(i);
            if (c == '\t' || c == ' ' && text.charAt(i + 1) == ' ') {
                return true;
            }
        }
        return false;
    }

    /** One platform thread's clients not yet in the table; written by that thread only. */
    private static final class Buffer {
        private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
        private static final VarHandle KEY = MethodHandles.arrayElementVarHandle(Object[].class);
        private static final VarHandle USED;

        static {
            try {
                USED = MethodHandles.lookup().findVarHandle(Buffer.class, "used", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final Thread owner;
        private final Object[] keys = new Object[BUFFER];
        private final int[] hashes = new int[BUFFER];
        /** Bytes received, bytes sent and requests of each key, three slots per key. */
        private final long[] counts = new long[3 * BUFFER + StripedCounters.PAD];
        /** How much of each count is already in the table; guarded by the table's lock. */
        private final long[] taken = new long[3 * BUFFER];
        @SuppressWarnings("unused") // through USED
        private int used;
        /**
         * The last connection this thread served, held weakly, and its peer's address: a keep-alive connection's
         * requests then need no {@code getPeerAddress()}, which allocates. Weakly, because a connection that has
         * ended may still hold what it served (an HTTP/2 stream's connection object holds the stream's exchange,
         * and with it, behind a server-wide filter, the application that served it).
         */
        private WeakReference<ServerConnection> lastConnection;
        private InetAddress lastPeer;

        Buffer(Thread owner) {
            this.owner = owner;
        }

        /** On the owner thread: {@code key}'s client, a remote address (also inside a chain) the remembered one. */
        Object key(ClientKey key, HttpServerExchange exchange) {
            if (key == ClientKeys.REMOTE_ADDRESS) {
                return peer(exchange);
            }
            if (key instanceof ClientKeys.OrElse chain) {
                Object first = key(chain.first(), exchange);
                return first != null ? first : key(chain.fallback(), exchange);
            }
            return key.key(exchange);
        }

        /**
         * On the owner thread: the remote address key, the last connection's remembered. Not for HTTP/2, where
         * every stream has a connection object of its own: remembering would only add an allocation per stream.
         */
        InetAddress peer(HttpServerExchange exchange) {
            ServerConnection connection = exchange.getConnection();
            if (connection == null || connection instanceof Http2ServerConnection) {
                return ClientKeys.peerOf(connection, exchange);
            }
            WeakReference<ServerConnection> last = lastConnection;
            if (last == null || last.get() != connection) {
                lastPeer = ClientKeys.peerOf(connection, exchange);
                lastConnection = new WeakReference<>(connection);
            }
            return lastPeer;
        }

        /** On the owner thread. */
        void add(ClientTable table, Object client, long bytesReceived, long bytesSent) {
            int hash = client.hashCode();
            int n = (int) USED.get(this);
            int i = 0;
            while (i < n && !(hashes[i] == hash && (keys[i] == client || keys[i].equals(client)))) {
                i++;
            }
            if (i == n) {
                if (n == BUFFER) {
                    synchronized (table) {
                        empty(table);
                    }
                    i = 0;
                }
                hashes[i] = hash;
                KEY.setRelease(keys, i, client);
                USED.setRelease(this, i + 1);
            }
            int slot = 3 * i;
            SLOT.setRelease(counts, slot, counts[slot] + bytesReceived);
            SLOT.setRelease(counts, slot + 1, counts[slot + 1] + bytesSent);
            SLOT.setRelease(counts, slot + 2, counts[slot + 2] + 1);
        }

        /** Under the table's lock, on the owner thread: moves what is new into the table and empties the buffer. */
        private void empty(ClientTable table) {
            drain(table);
            int n = (int) USED.get(this);
            for (int i = 0; i < n; i++) {
                keys[i] = null;
            }
            Arrays.fill(counts, 0);
            Arrays.fill(taken, 0);
            USED.setRelease(this, 0);
        }

        /**
         * Under the table's lock, on any thread: moves into the table what the owner added since the last drain.
         * The owner only ever raises its counts, and empties the buffer only under the same lock.
         */
        void drain(ClientTable table) {
            int n = (int) USED.getAcquire(this);
            for (int i = 0; i < n; i++) {
                Object client = KEY.getAcquire(keys, i);
                int slot = 3 * i;
                long received = (long) SLOT.getAcquire(counts, slot) - taken[slot];
                long sent = (long) SLOT.getAcquire(counts, slot + 1) - taken[slot + 1];
                long requests = (long) SLOT.getAcquire(counts, slot + 2) - taken[slot + 2];
                if (received != 0 || sent != 0 || requests != 0) {
                    table.add(client, received, sent, requests);
                    taken[slot] += received;
                    taken[slot + 1] += sent;
                    taken[slot + 2] += requests;
                }
            }
        }

        boolean ended() {
            return !owner.isAlive();
        }
    }
}
