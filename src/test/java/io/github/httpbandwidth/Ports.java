package io.github.httpbandwidth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free loopback ports for processes that must be told their port up front (the agent, Prometheus). */
final class Ports {

    private Ports() {
    }

    /**
     * A port {@code base} such that {@code base + k * stride} for {@code k} below {@code count} are all free now and
     * none is in {@code avoid} (ports the caller gave other parts of a stack), and adds them to {@code avoid}: for a
     * script that derives ports from one it is given, as the example stack's masters do from MASTER_PORT and
     * METRICS_PORT.
     */
    static int freeRun(int count, int stride, java.util.Set<Integer> avoid) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = free();
            java.util.List<Integer> run = new java.util.ArrayList<>();
            for (int k = 0; k < count; k++) {
                int port = base + k * stride;
                if (port > 65_535 || avoid.contains(port) || (k > 0 && !bindable(port))) {
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

    static int free() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
