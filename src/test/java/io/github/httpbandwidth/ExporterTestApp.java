package io.github.httpbandwidth;

import io.undertow.Undertow;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;

/**
 * The application the export tests run in a child JVM under the real JMX exporter agent: {@link TestRoutes#basic()}
 * behind a {@link BandwidthHandler} with the {@link HeaderClassifier}, on 127.0.0.1 and an ephemeral port.
 * Prints {@code HTTP_PORT=<port>} when ready; stops when its standard input closes.
 *
 * <p>Arguments: {@code [name [endpointCap [clientCapacity]]]}.
 */
public final class ExporterTestApp {

    private ExporterTestApp() {
    }

    public static void main(String[] args) throws Exception {
        String name = args.length > 0 ? args[0] : "e2e";
        int cap = args.length > 1 ? Integer.parseInt(args[1]) : BandwidthStats.DEFAULT_ENDPOINT_CAP;
        int clients = args.length > 2 ? Integer.parseInt(args[2]) : ClientTable.DEFAULT_CAPACITY;
        BandwidthStats stats = BandwidthStats.builder().name(name).endpointCap(cap).clientCapacity(clients)
                .classifier(new HeaderClassifier())
                .clientKey(ClientKey.header("X-Worker-Id").orElse(ClientKey.remoteAddress())).build();
        stats.registerMBean(ManagementFactory.getPlatformMBeanServer());
        // Uploads of a few megabytes (Undertow refuses bodies over 2 MiB by default).
        Undertow server = Undertow.builder().addHttpListener(0, "127.0.0.1")
                .setServerOption(io.undertow.UndertowOptions.MAX_ENTITY_SIZE, 16L << 20)
                .setHandler(new BandwidthHandler(stats, TestRoutes.basic())).build();
        server.start();
        int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        System.out.println("HTTP_PORT=" + port);
        System.out.flush();
        while (System.in.read() != -1) {
            // Runs until the parent closes our standard input (or dies).
        }
        server.stop();
        System.exit(0);
    }
}
