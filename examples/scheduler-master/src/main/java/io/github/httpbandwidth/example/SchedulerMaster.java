package io.github.httpbandwidth.example;

import io.github.httpbandwidth.BandwidthHandler;
import io.github.httpbandwidth.BandwidthStats;
import io.github.httpbandwidth.ClientKey;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.RoutingHandler;
import io.undertow.util.HttpString;
import io.undertow.util.StatusCodes;

import javax.net.ssl.SSLContext;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;

/**
 * The example scheduler master: an HTTPS (HTTP/2) API with Bearer authentication, whose HTTP body bandwidth is
 * counted by {@link BandwidthHandler}, outermost, and published as
 * {@code io.github.httpbandwidth:type=BandwidthStats,name=master}. Settings: {@link MasterConfig}.
 */
public final class SchedulerMaster {

    private static final HttpString WORKER_ID = new HttpString("X-Worker-Id");

    private SchedulerMaster() {
    }

    /**
     * Top clients keyed by the worker id the scheduler's workers send ({@code X-Worker-Id}), believed only from a
     * request whose bearer token matched (so a caller without the key cannot fill the table with made-up ids), else
     * by the remote address; never by the bearer token itself.
     */
    static final ClientKey WORKER_OR_ADDRESS = ((ClientKey) ex -> ex.getAttachment(BearerAuthHandler.AUTHENTICATED) != null
            ? ex.getRequestHeaders().getFirst(WORKER_ID) : null).orElse(ClientKey.remoteAddress());

    /**
     * How long a new endpoint, status class or client row shows 0 to the exporter before its counts: three of the
     * stack's 5 s scrapes (examples/prometheus/prometheus.yml), so Prometheus stores a 0 first and {@code increase()}
     * counts the row's first exchanges. The library's default, 120 s, suits Prometheus' default 1 minute interval.
     */
    static final Duration ROW_HOLD = Duration.ofSeconds(15);

    private static BandwidthHandler monitor(HttpHandler app, int clientCapacity) {
        BandwidthStats stats = BandwidthStats.builder().name("master").clientKey(WORKER_OR_ADDRESS).rowHold(ROW_HOLD)
                .clientCapacity(clientCapacity).build();
        stats.registerMBean(ManagementFactory.getPlatformMBeanServer());
        return new BandwidthHandler(stats, app);
    }

    public static void main(String[] args) throws Exception {
        MasterConfig config;
        try {
            config = MasterConfig.fromEnvironment(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("scheduler-master: " + e.getMessage());
            System.exit(2);
            return;
        }
        ApiKey key = ApiKey.loadOrCreate(config.envFile());
        Files.createDirectories(config.artifactDir());
        SSLContext tls = SelfSignedTls.loadOrCreate(config.tlsDir());

        RoutingHandler routes = Handlers.routing()
                .get("/health", ex -> Responses.json(ex, StatusCodes.OK, "{\"status\":\"up\"}"))
                .setFallbackHandler(ex -> Responses.error(ex, StatusCodes.NOT_FOUND,
                        "no route for " + ex.getRequestMethod() + " " + ex.getRequestPath()));
        new JobsApi(new JobStore(Clock.systemUTC())).addTo(routes);
        new ArtifactsApi(config.artifactDir(), config.artifactMaxBytes()).addTo(routes);
        HttpHandler app = new BearerAuthHandler(key, routes);
        // Outermost, so that what auth or routing rejects (401, 404, 413) is counted too.
        BandwidthHandler monitor = config.bandwidthEnabled() ? monitor(app, config.clientCapacity()) : null;
        HttpHandler root = monitor != null ? monitor : app;

        Undertow server = Undertow.builder()
                .addHttpsListener(config.port(), config.host(), tls)
                .setServerOption(UndertowOptions.ENABLE_HTTP2, true)
                // Undertow's default (2 MiB) would refuse artifacts below ARTIFACT_MAX_BYTES; the artifact API
                // enforces its own limit, with a message that names it, and Undertow's lies past what it reads.
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, ArtifactsApi.entityLimit(config.artifactMaxBytes()))
                // The listener's own statistics (wire bytes: headers and framing too), shown beside the body bytes;
                // and request start times, so that the transfers in flight say how long each has been open.
                .setServerOption(UndertowOptions.ENABLE_STATISTICS, true)
                .setServerOption(UndertowOptions.RECORD_REQUEST_START_TIME, true)
                .setHandler(root)
                .build();
        server.start();
        if (monitor != null) {
            monitor.stats().watchListeners(server);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "scheduler-master-stop"));
        System.out.println("scheduler master listening on https://" + config.host() + ":" + config.port()
                + " (HTTP/1.1 and HTTP/2), API key in " + config.envFile().toAbsolutePath()
                + ", bandwidth monitor " + (config.bandwidthEnabled()
                ? "on: io.github.httpbandwidth:type=BandwidthStats,name=master" : "off (BANDWIDTH_ENABLED=false)"));
    }
}
