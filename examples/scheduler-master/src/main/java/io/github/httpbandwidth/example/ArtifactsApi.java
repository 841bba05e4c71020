package io.github.httpbandwidth.example;

import io.undertow.io.IoCallback;
import io.undertow.io.Sender;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.regex.Pattern;

/**
 * {@code /artifacts/{name}}: {@code PUT} stores any bytes up to a limit; {@code GET} and {@code HEAD} serve them
 * from the file, through Undertow's {@code Sender.transferFrom} (sendfile on a plain connection).
 */
final class ArtifactsApi {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final String NAME_RULE = "artifact names are 1 to 128 characters of A-Z a-z 0-9 . _ -, "
            + "starting with a letter or digit";

    /** How much of an oversized body of unannounced length is read past the limit, so its client gets the 413. */
    private static final long DRAIN_BYTES = 1 << 20;

    private final Path dir;
    private final long maxBytes;

    /**
     * Undertow's entity limit for a server with this API: past everything the handler reads of a body (the limit
     * and one byte, then at most {@link #DRAIN_BYTES} and one more), so that Undertow never cuts a body the
     * handler is still reading. At the limit itself it would cut a body of unannounced length (HTTP/2 without
     * Content-Length, HTTP/1.1 chunked) there, and an HTTP/2 stream cut so reads as a clean end: the cut file
     * would look whole. (Set server-wide, not on the exchange: set there, Undertow 2.3.27's chunked reader refused a
     * 4,001,000-byte body under a limit of 5,048,578, and every chunked body under {@code Long.MAX_VALUE} or 0.)
     */
    static long entityLimit(long maxBytes) {
        return maxBytes + 1 + DRAIN_BYTES + 1;
    }

    ArtifactsApi(Path dir, long maxBytes) {
        this.dir = dir.toAbsolutePath().normalize();
        this.maxBytes = maxBytes;
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
            InputStream in = exchange.getInputStream();
            long size = copyAtMost(in, partial);
            if (size > maxBytes) {
                // The rest of a body of unannounced length, up to a bound, is read and dropped first: an HTTP/1.1
                // client still sending when the connection closes would lose the answer to a reset.
                if (drainedAtMost(in, DRAIN_BYTES)) {
                    Responses.error(exchange, StatusCodes.REQUEST_ENTITY_TOO_LARGE, tooLargeMessage());
                } else {
                    tooLarge(exchange);
                }
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

    /** Copies until the end or until one byte more than the limit, never reading further; the bytes copied. */
    private long copyAtMost(InputStream in, Path file) throws IOException {
        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            while (total <= maxBytes) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, maxBytes + 1 - total));
                if (n < 0) {
                    break;
                }
                out.write(buffer, 0, n);
                total += n;
            }
        }
        return total;
    }

    /**
     * Reads and drops what is left of the body, at most {@code limit} bytes and one; whether it ended so. A read
     * that fails (the client went away; Undertow's chunked reader counting a chunk's announced size past its
     * limit) ends it too: the answer is then sent on a connection that closes.
     */
    private static boolean drainedAtMost(InputStream in, long limit) {
        byte[] buffer = new byte[64 * 1024];
        long drained = 0;
        try {
            while (drained <= limit) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, limit + 1 - drained));
                if (n < 0) {
                    return true;
                }
                drained += n;
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    private void tooLarge(HttpServerExchange exchange) {
        // Do not wait for the rest of an oversized body: close the connection after the answer.
        exchange.setPersistent(false);
        Responses.error(exchange, StatusCodes.REQUEST_ENTITY_TOO_LARGE, tooLargeMessage());
    }

    private String tooLargeMessage() {
        return "artifacts may have at most " + maxBytes + " bytes (ARTIFACT_MAX_BYTES)";
    }

    /**
     * The length and the bytes come from one open file. A PUT replaces the path with another file (an atomic move)
     * and never writes to a stored one, so what was opened stays one version whole while it is sent. (Undertow's
     * {@code ResourceHandler} took the length from the path and then opened the path again: a PUT in between sent
     * the new file's bytes under the old length, which a kept-alive HTTP/1.1 client read as a body of the wrong
     * version or the start of its next answer.)
     */
    private void serve(HttpServerExchange exchange) throws IOException {
        if (exchange.isInIoThread()) {
            // Opening a file may wait on the disk: on a worker, which the transfer then leaves at once (it goes on
            // without a thread as the connection takes the bytes), as ResourceHandler does.
            exchange.dispatch(this::serve);
            return;
        }
        Path path = resolve(exchange);
        if (path == null) {
            return;
        }
        FileChannel file;
        try {
            file = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            Responses.error(exchange, StatusCodes.NOT_FOUND, "no artifact " + path.getFileName());
            return;
        }
        long size;
        try {
            size = file.size();
        } catch (IOException e) {
            close(file);
            throw e;
        }
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/octet-stream");
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, size);
        if (exchange.getRequestMethod().equals(Methods.HEAD)) {
            close(file);
            exchange.endExchange();
            return;
        }
        // Through the connection's transferFrom: sendfile on a plain connection; over TLS, as here, Undertow reads
        // the file into its buffers.
        exchange.getResponseSender().transferFrom(file, new IoCallback() {
            @Override
            public void onComplete(HttpServerExchange done, Sender sender) {
                close(file);
                IoCallback.END_EXCHANGE.onComplete(done, sender);
            }

            @Override
            public void onException(HttpServerExchange failed, Sender sender, IOException exception) {
                close(file);
                IoCallback.END_EXCHANGE.onException(failed, sender, exception);
            }
        });
    }

    private static void close(FileChannel file) {
        try {
            file.close();
        } catch (IOException ignored) {
            // Read only: nothing is lost.
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
