package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthHandler;
import io.github.httpbandwidth.BandwidthStats;
import io.undertow.server.HandlerWrapper;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.boot.web.embedded.undertow.HttpHandlerFactory;
import org.springframework.boot.web.embedded.undertow.UndertowWebServer;
import org.springframework.context.ApplicationContext;
import org.springframework.context.SmartLifecycle;

import java.lang.reflect.Field;
import java.util.List;

/**
 * Puts the handler outermost around a reactive Undertow server (Spring WebFlux), before Boot starts it.
 *
 * <p>Boot builds a reactive Undertow's handler chain from a list of handler factories, innermost first (WebFlux's
 * adapter, then compression, forwarded headers, the server header, graceful shutdown), that it keeps in its
 * {@link UndertowWebServer} and offers no hook to add to (for the servlet server there is the deployment's outer
 * handler chain). This lifecycle, which starts before Boot's web server does, adds the handler's factory at the end
 * of that list, so it wraps all of them: every exchange is counted, errors included, and compressed responses as
 * they cross the connection. The list is a private field, read by reflection: should it not be there (Boot 3.5 is
 * the last line with Undertow, so it is not expected to change), the application runs uncounted and a warning says
 * so.
 */
final class ReactiveHandlerPlacement implements SmartLifecycle {

    private static final Log LOG = LogFactory.getLog(ReactiveHandlerPlacement.class);
    static final String FACTORIES = "httpHandlerFactories";

    private final BandwidthStats stats;
    private final ApplicationContext context;
    private volatile boolean running;
    private boolean placed;

    ReactiveHandlerPlacement(BandwidthStats stats, ApplicationContext context) {
        this.stats = stats;
        this.context = context;
    }

    @Override
    public synchronized void start() {
        running = true;
        if (!placed && context instanceof WebServerApplicationContext web
                && web.getWebServer() instanceof UndertowWebServer undertow) {
            placed = placeOutermost(undertow, BandwidthHandler.wrapper(stats), FACTORIES);
        }
    }

    /**
     * Adds {@code handler} outermost to the server's handler factories, read from its field {@code field}; false,
     * with a warning, when the server has started already or the field is not a list of them.
     */
    static boolean placeOutermost(UndertowWebServer server, HandlerWrapper handler, String field) {
        try {
            if (built(server)) {
                LOG.warn("The reactive Undertow server started before the bandwidth handler could be put around it: "
                        + "this application's HTTP traffic is not counted");
                return false;
            }
            Field factories = UndertowWebServer.class.getDeclaredField(field);
            factories.setAccessible(true);
            @SuppressWarnings("unchecked")
            List<HttpHandlerFactory> list = (List<HttpHandlerFactory>) factories.get(server);
            list.add(handler::wrap);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("The bandwidth handler could not be put around Boot's reactive Undertow server (" + e
                    + "): this application's HTTP traffic is not counted");
            return false;
        }
    }

    /**
     * Whether Boot has built its Undertow server, from the server's private field {@code undertow}: Boot 3 reads it
     * with {@code getUndertow()}, which Boot 2.7 does not have.
     */
    private static boolean built(UndertowWebServer server) throws ReflectiveOperationException {
        Field undertow = UndertowWebServer.class.getDeclaredField("undertow");
        undertow.setAccessible(true);
        return undertow.get(server) != null;
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Before Boot's web server starts (its phase is {@code Integer.MAX_VALUE - 2048}). */
    @Override
    public int getPhase() {
        return 0;
    }
}
