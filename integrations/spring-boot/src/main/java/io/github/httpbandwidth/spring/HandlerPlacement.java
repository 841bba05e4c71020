package io.github.httpbandwidth.spring;

import io.github.httpbandwidth.BandwidthHandler;
import io.github.httpbandwidth.BandwidthStats;
import io.undertow.server.HandlerWrapper;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.web.embedded.undertow.HttpHandlerFactory;
import org.springframework.boot.web.embedded.undertow.UndertowServletWebServerFactory;
import org.springframework.boot.web.server.Compression;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

import java.lang.reflect.Constructor;

/**
 * Wraps the handler outermost around the servlet deployment, and, when Boot compresses responses
 * ({@code server.compression.enabled}), moves that compression inside it: Boot puts its compressing handler outside
 * the deployment, where the handler would count every response uncompressed, not the bytes that cross the
 * connection. The compressing handler is Boot's own ({@code CompressionHttpHandlerFactory}, with the same settings),
 * so what is compressed does not change; only where. Should Boot's class ever not be there, compression stays where
 * Boot put it and a warning says that compressed responses then count uncompressed.
 *
 * <p>Runs after Boot's own customizers, which apply {@code server.compression} to the factory.
 */
final class HandlerPlacement implements WebServerFactoryCustomizer<UndertowServletWebServerFactory>, Ordered {

    private static final Log LOG = LogFactory.getLog(HandlerPlacement.class);
    static final String BOOT_COMPRESSION =
            "org.springframework.boot.web.embedded.undertow.CompressionHttpHandlerFactory";

    private final BandwidthStats stats;

    HandlerPlacement(BandwidthStats stats) {
        this.stats = stats;
    }

    @Override
    public void customize(UndertowServletWebServerFactory factory) {
        HandlerWrapper counting = BandwidthHandler.wrapper(stats);
        HandlerWrapper compressing = takeCompression(factory, BOOT_COMPRESSION);
        HandlerWrapper outermost = compressing == null ? counting : next -> counting.wrap(compressing.wrap(next));
        factory.addDeploymentInfoCustomizers(deployment -> deployment.addOuterHandlerChainWrapper(outermost));
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    /**
     * Boot's compression (its handler factory, class {@code bootCompression}) as a wrapper for inside the handler,
     * turned off where Boot would put it; or null, leaving it there, when that class cannot be made.
     */
    static HandlerWrapper takeCompression(UndertowServletWebServerFactory factory, String bootCompression) {
        Compression compression = factory.getCompression();
        if (compression == null || !compression.getEnabled()) {
            return null;
        }
        HttpHandlerFactory handlers;
        try {
            Constructor<?> make = Class.forName(bootCompression).getDeclaredConstructor(Compression.class);
            make.setAccessible(true);
            handlers = (HttpHandlerFactory) make.newInstance(copy(compression, true));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("Boot's response compression stays outside the bandwidth handler (" + e
                    + "): compressed responses count uncompressed in the outbound bytes");
            return null;
        }
        factory.setCompression(copy(compression, false));
        return handlers::getHandler;
    }

    private static Compression copy(Compression compression, boolean enabled) {
        Compression copy = new Compression();
        copy.setEnabled(enabled);
        copy.setMimeTypes(compression.getMimeTypes());
        copy.setExcludedUserAgents(compression.getExcludedUserAgents());
        copy.setMinResponseSize(compression.getMinResponseSize());
        return copy;
    }
}
