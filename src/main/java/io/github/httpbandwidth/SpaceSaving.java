package io.github.httpbandwidth;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The weighted Space-Saving summary (Metwally, Agrawal, El Abbadi, 2005) of clients by body bytes: at most
 * {@code capacity} clients, each with a weight (its body bytes, in and out, plus what it inherited) and an error.
 *
 * <p>A client already kept adds its bytes to its weight. A new client, once the table is full, takes the place of
 * the client of least weight {@code m}: its weight becomes {@code m} plus its bytes, its error {@code m}. So, with
 * {@code N} the bytes of every exchange added: the least weight is at most {@code N / capacity}; every client
 * whose bytes exceed the least weight is kept; a kept client's true bytes lie between its weight minus its error
 * and its weight. Beside the weight, each kept client counts exactly what it moved since it was last admitted
 * (bytes in, bytes out, requests); that is its weight minus its error in bytes, so the bytes missing from its row
 * are at most its error, itself at most {@code N / capacity}.
 *
 * <p>A client whose exchange moved no body bytes is not admitted into a full table (it would change no weight,
 * only the row shown): its request counts with the rest.
 *
 * <p>Not thread-safe: {@link ClientTable} guards it. Weights live in a binary min-heap, with an index by name.
 */
final class SpaceSaving {

    private final int capacity;
    private final Map<String, Entry> byName;
    private final Entry[] heap;
    private int size;
    /**
     * What the clients that left the table had been shown to readers of the exported view when they left (bytes in,
     * bytes out, requests): their rows' series counted that much, so it belongs on no other row.
     */
    private final long[] departedShown = new long[3];
    /** How many times a client has been admitted: each admission's number tells it from the client's earlier ones. */
    private long admissions;

    SpaceSaving(int capacity) {
        this.capacity = capacity;
        this.byName = new HashMap<>(capacity * 2);
        this.heap = new Entry[capacity];
    }

    void add(String name, long bytesReceived, long bytesSent, long requests) {
        Entry entry = byName.get(name);
        if (entry == null) {
            if (size < capacity) {
                entry = new Entry(name, size);
                entry.admission = ++admissions;
                entry.count(bytesReceived, bytesSent, requests);
                heap[size++] = entry;
                byName.put(name, entry);
                siftUp(entry.position);
                return;
            } else if (bytesReceived + bytesSent == 0) {
                return;
            } else {
                entry = heap[0];
                byName.remove(entry.name);
                departedShown[0] += entry.shownReceived;
                departedShown[1] += entry.shownSent;
                departedShown[2] += entry.requestsShown;
                entry.readmit(name);
                entry.admission = ++admissions;
                byName.put(name, entry);
            }
        }
        entry.count(bytesReceived, bytesSent, requests);
        siftDown(entry.position);
    }

    /** The kept clients, in no order. */
    List<Entry> entries() {
        List<Entry> entries = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            entries.add(heap[i]);
        }
        return entries;
    }

    /** What the clients that left had been shown when they left: bytes received, bytes sent, requests. */
    long[] departedShown() {
        return departedShown.clone();
    }

    /** The least weight kept (0 while the table is not full): what a new client inherits as its error. */
    long leastWeight() {
        return size < capacity ? 0 : heap[0].weight;
    }

    private void siftDown(int position) {
        int i = position;
        Entry moving = heap[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1].weight < heap[child].weight) {
                child++;
            }
            if (heap[child].weight >= moving.weight) {
                break;
            }
            place(heap[child], i);
            i = child;
        }
        place(moving, i);
    }

    private void siftUp(int position) {
        int i = position;
        Entry moving = heap[i];
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (heap[parent].weight <= moving.weight) {
                break;
            }
            place(heap[parent], i);
            i = parent;
        }
        place(moving, i);
    }

    private void place(Entry entry, int position) {
        heap[position] = entry;
        entry.position = position;
    }

    /** One kept client. */
    static final class Entry {
        static final long UNSEEN = Long.MIN_VALUE;

        String name;
        long weight;
        long error;
        long bytesReceived;
        long bytesSent;
        long requests;
        int position;
        /**
         * This admission's number, unique in the table: a client pushed out and admitted again between two reads has
         * the same name and another number.
         */
        long admission;
        /** When a read of the exported view first saw this client on the row ({@link #UNSEEN}: not yet). */
        long seenNanos = UNSEEN;
        /** What the exported view last showed of this client's row. */
        long shownReceived;
        long shownSent;
        long requestsShown;

        Entry(String name, int position) {
            this.name = name;
            this.position = position;
        }

        void count(long received, long sent, long exchanges) {
            weight += received + sent;
            bytesReceived += received;
            bytesSent += sent;
            requests += exchanges;
        }

        /** Takes the place of the least client: inherits its weight as error, counts afresh. */
        void readmit(String newName) {
            name = newName;
            error = weight;
            bytesReceived = 0;
            bytesSent = 0;
            requests = 0;
            seenNanos = UNSEEN;
            shownReceived = 0;
            shownSent = 0;
            requestsShown = 0;
        }
    }
}
