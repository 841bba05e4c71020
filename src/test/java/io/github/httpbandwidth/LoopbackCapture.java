package io.github.httpbandwidth;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@code tcpdump} capture of one TCP port on the loopback interface, and the TCP payload bytes it saw in each
 * direction: what a network graph of that port would count (TLS records included), retransmissions counted once.
 */
final class LoopbackCapture implements AutoCloseable {

    private final Process tcpdump;
    private final Path file;
    private final int port;

    private LoopbackCapture(Process tcpdump, Path file, int port) {
        this.tcpdump = tcpdump;
        this.file = file;
        this.port = port;
    }

    /** Starts capturing and returns once tcpdump says it listens. Needs root (or CAP_NET_RAW) and tcpdump. */
    static LoopbackCapture start(Path dir, int port) throws Exception {
        String program = Executables.require("tcpdump", "tcpdump");
        Path file = dir.resolve("capture-" + port + ".pcap");
        Process process = new ProcessBuilder(program, "-i", "lo", "--immediate-mode", "-B", "16384", "-U", "-n", "-s", "0", "-w", file.toString(),
                "tcp port " + port).redirectErrorStream(true).start();
        CompletableFuture<String> listening = new CompletableFuture<>();
        StringBuilder said = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    synchronized (said) {
                        said.append(line).append('\n');
                    }
                    if (line.contains("listening on")) {
                        listening.complete(line);
                    }
                }
            } catch (IOException e) {
                listening.completeExceptionally(e);
            }
            listening.completeExceptionally(new IllegalStateException("tcpdump ended: " + said));
        }, "tcpdump-output");
        reader.setDaemon(true);
        reader.start();
        try {
            listening.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("tcpdump did not start capturing (it needs root): " + said, e);
        }
        return new LoopbackCapture(process, file, port);
    }

    /** What the capture holds so far (tcpdump writes each packet as it sees it). */
    Totals totals() {
        try {
            byte[] pcap = Files.readAllBytes(file);
            return pcap.length < 24 ? new Totals(0, 0, 0) : count(pcap, port);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        tcpdump.destroy();
        Executables.awaitExit(tcpdump);
    }

    /** TCP payload bytes sent to the port (by clients) and from it (by the server). */
    record Totals(long toServer, long fromServer, int packets) {
    }

    /**
     * Counts from TCP sequence numbers, not by adding packet lengths: a connection's bytes in one direction are its
     * FIN's sequence number (or the highest byte seen sent or acknowledged) minus its SYN's. So a packet the capture
     * missed (tcpdump can drop some at loopback speed) or a retransmission changes nothing.
     */
    static Totals count(byte[] pcap, int port) {
        ByteBuffer in = ByteBuffer.wrap(pcap);
        int magic = in.getInt(0);
        if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1) {
            in.order(ByteOrder.LITTLE_ENDIAN);
        } else if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
            throw new IllegalArgumentException("not a pcap file: magic " + Integer.toHexString(magic));
        }
        int linkType = in.getInt(20);
        int linkHeader = switch (linkType) {
            case 1 -> 14;     // Ethernet: how Linux shows its loopback interface
            case 113 -> 16;   // Linux cooked capture
            case 276 -> 20;   // Linux cooked capture v2
            default -> throw new IllegalArgumentException("link type " + linkType + " not handled");
        };
        Map<String, Flow> flows = new HashMap<>();
        int packets = 0;
        int at = 24;
        while (at + 16 <= pcap.length) {
            int captured = in.getInt(at + 8);
            int ip = at + 16 + linkHeader;
            if (at + 16 + captured > pcap.length) {
                break;   // a packet still being written
            }
            at += 16 + captured;
            if ((pcap[ip] & 0xf0) != 0x40 || pcap[ip + 9] != 6) {
                continue;
            }
            packets++;
            int ipHeader = (pcap[ip] & 0x0f) * 4;
            int total = unsigned16(pcap, ip + 2);
            int tcp = ip + ipHeader;
            int source = unsigned16(pcap, tcp);
            int destination = unsigned16(pcap, tcp + 2);
            long sequence = unsigned32(pcap, tcp + 4);
            long ack = unsigned32(pcap, tcp + 8);
            int flags = pcap[tcp + 13];
            int payload = total - ipHeader - ((pcap[tcp + 12] & 0xf0) >> 4) * 4;
            Flow flow = flows.computeIfAbsent(source + ">" + destination, k -> new Flow(source == port));
            Flow reverse = flows.computeIfAbsent(destination + ">" + source, k -> new Flow(destination == port));
            if ((flags & 0x02) != 0) {
                flow.initial = sequence;
            }
            if ((flags & 0x01) != 0) {
                flow.fin = sequence + payload;
            }
            flow.highest = Math.max(flow.highest, sequence + payload);
            if ((flags & 0x10) != 0) {
                reverse.acknowledged = Math.max(reverse.acknowledged, ack);
            }
        }
        long toServer = 0;
        long fromServer = 0;
        for (Flow flow : flows.values()) {
            if (flow.fromServer) {
                fromServer += flow.bytes();
            } else {
                toServer += flow.bytes();
            }
        }
        return new Totals(toServer, fromServer, packets);
    }

    private static int unsigned16(byte[] bytes, int at) {
        return ((bytes[at] & 0xff) << 8) | (bytes[at + 1] & 0xff);
    }

    private static long unsigned32(byte[] bytes, int at) {
        return ((long) unsigned16(bytes, at) << 16) | unsigned16(bytes, at + 2);
    }

    /** One direction of one connection, by sequence numbers (no wrap-around: test connections move far less). */
    private static final class Flow {
        final boolean fromServer;
        long initial = -1;
        long fin = -1;
        long highest;
        long acknowledged;

        Flow(boolean fromServer) {
            this.fromServer = fromServer;
        }

        long bytes() {
            if (initial < 0) {
                throw new IllegalStateException("a connection whose SYN the capture does not hold");
            }
            long end = fin >= 0 ? fin : Math.max(highest, acknowledged);
            return Math.max(0, end - initial - 1);
        }
    }
}
