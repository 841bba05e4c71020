package io.github.httpbandwidth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/** Free loopback ports for processes that must be told their port up front (the agent, Prometheus). */
final class Ports {

    /** The lowest port {@link #free()} hands out: above the example stack's defaults and a machine's services. */
    private static final int LOWEST = 20_000;

    private Ports() {
    }

    /**
     * A port {@code base} such that {@code base + k * stride} for {@code k} below {@code count} are all free now and
     * none is in {@code avoid} (ports the caller gave other parts of a stack), and adds them to {@code avoid}: for a
     * script that derives ports from one it is given, as the example stack's masters do from MASTER_PORT and
     * METRICS_PORT.
     */
    static int freeRun(int count, int stride, java.util.Set<Integer> avoid) {
        int below = clientPortsStart();
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = free();
            java.util.List<Integer> run = new java.util.ArrayList<>();
            for (int k = 0; k < count; k++) {
                int port = base + k * stride;
                if (port >= below || avoid.contains(port) || (k > 0 && !bindable(port))) {
                    break;
                }
                run.add(port);
            }
            if (run.size() == count) {
                avoid.addAll(run);
                return base;
            }
        }
        throw new IllegalStateException("no " + count + " free loopback ports " + stride + " apart in 100 tries");
    }

    private static boolean bindable(int port) {
        try {
            new ServerSocket(port, 1, InetAddress.getLoopbackAddress()).close();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A port free now, chosen below the kernel's range of client ports ({@code net.ipv4.ip_local_port_range}, from
     * 32768 by default) rather than given by the kernel (a bind to port 0 gives one from that range): between this
     * call and the child process's bind, a connection opened meanwhile (by a test in the other surefire JVM, or by
     * this one) can take a port of that range as its own, and the child's bind fails.
     */
    static int free() {
        int below = clientPortsStart();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = random.nextInt(LOWEST, below);
            if (bindable(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free loopback port in " + LOWEST + "-" + (below - 1) + " in 200 tries");
    }

    private static int clientPortsStart() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
            int start = Integer.parseInt(range.trim().split("\\s+")[0]);
            return start > LOWEST + 1000 ? start : 32_768;
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
