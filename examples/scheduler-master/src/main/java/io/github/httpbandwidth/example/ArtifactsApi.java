package io.github.httpbandwidth.example;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.server.handlers.resource.PathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;
import io.undertow.util.StatusCodes;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Pattern;

/**
 * {@code /artifacts/{name}}: {@code PUT} stores any bytes up to a limit; {@code GET} and {@code HEAD} serve them
 * through Undertow's file serving, which uses sendfile.
 */
final class ArtifactsApi {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final String NAME_RULE = "artifact names are 1 to 128 characters of A-Z a-z 0-9 . _ -, "
            + "starting with a letter or digit";

    private final Path dir;
    private final long maxBytes;
    private final ResourceHandler files;

    ArtifactsApi(Path dir, long maxBytes) {
        this.dir = dir.toAbsolutePath().normalize();
        this.maxBytes = maxBytes;
        // Files from 1 KiB up go out through FileChannel.transferTo (sendfile).
        this.files = new ResourceHandler(new PathResourceManager(this.dir, 1024)).setDirectoryListingEnabled(false);
    }

    RoutingHandler addTo(RoutingHandler routes) {
        return routes
                .put("/artifacts/{name}", JobsApi.blocking(this::store))
                .get("/artifacts/{name}", this::serve)
                .add("HEAD", "/artifacts/{name}", this::serve);
    }

    private void store(HttpServerExchange exchange) throws IOException {
        Path target = resolve(exchange);
        if (target == null) {
            return;
        }
        if (exchange.getRequestContentLength() > maxBytes) {
            tooLarge(exchange);
            return;
        }
        long announced = exchange.getRequestContentLength();
        Path partial = Files.createTempFile(dir, ".upload-", ".part");
        try {
            long size = copyAtMost(exchange.getInputStream(), partial);
            if (size > maxBytes) {
                tooLarge(exchange);
                return;
            }
            // A cut HTTP/2 upload reads as a clean end of stream: only the announced length tells. A body that did
            // not arrive whole never replaces anything.
            if (announced >= 0 && size != announced) {
                exchange.setPersistent(false);
                Responses.error(exchange, StatusCodes.BAD_REQUEST, "the upload ended after " + size + " of the "
                        + announced + " bytes its Content-Length announced; nothing was stored");
                return;
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Responses.json(exchange, StatusCodes.CREATED,
                    "{\"name\":" + Json.quote(target.getFileName().toString()) + ",\"bytes\":" + size + "}");
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /** Copies until the end or until one byte more than the limit; returns the bytes copied. */
    private long copyAtMost(InputStream in, Path file) throws IOException {
        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int n = in.read(buffer); n >= 0 && total <= maxBytes; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                total += n;
            }
        }
        return total;
    }

    private void tooLarge(HttpServerExchange exchange) {
        // Do not wait for the rest of an oversized body: close the connection after the answer.
        exchange.setPersistent(false);
        Responses.error(exchange, StatusCodes.REQUEST_ENTITY_TOO_LARGE,
                "artifacts may have at most " + maxBytes + " bytes (ARTIFACT_MAX_BYTES)");
    }

    private void serve(HttpServerExchange exchange) throws Exception {
        Path file = resolve(exchange);
        if (file != null) {
            exchange.setRelativePath("/" + file.getFileName());
            files.handleRequest(exchange);
        }
    }

    /** The artifact's path inside the directory, or {@code null} after answering 400 for a name that is refused. */
    private Path resolve(HttpServerExchange exchange) {
        String name = Responses.routeParameter(exchange, "name");
        if (name != null && NAME.matcher(name).matches()) {
            Path path = dir.resolve(name).normalize();
            if (dir.equals(path.getParent())) {
                return path;
            }
        }
        Responses.error(exchange, StatusCodes.BAD_REQUEST, NAME_RULE);
        return null;
    }
}
