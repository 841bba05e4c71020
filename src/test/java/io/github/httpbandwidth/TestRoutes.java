package io.github.httpbandwidth;

import io.undertow.Handlers;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.server.handlers.BlockingHandler;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Routes shared by the tests that need a body of known size and nothing else. */
final class TestRoutes {

    static final int SMALL_SIZE = 1000;
    static final int CHUNK_SIZE = 4096;

    private TestRoutes() {
    }

    /**
     * {@code GET /small}: 1000 bytes. {@code POST /upload}: reads the body blocking, answers {@code n=<size>}.
     * {@code GET /stream/{chunks}}: that many 4096-byte chunks, flushed one by one. {@code GET /single/{mib}}: that
     * many MiB of zeros in one non-blocking {@code Sender.send}.
     */
    static RoutingHandler basic() {
        return Handlers.routing()
                .get("/small", ex -> ex.getResponseSender().send(ByteBuffer.wrap(BodyCountingTest.filled(SMALL_SIZE))))
                .post("/upload", blocking(TestRoutes::readAll))
                .get("/single/{mib}", ex -> {
                    int mib = Integer.parseInt(ex.getQueryParameters().get("mib").getFirst());
                    ex.getResponseSender().send(ByteBuffer.allocate(mib << 20));
                })
                .get("/stream/{chunks}", blocking(ex -> {
                    int chunks = Integer.parseInt(ex.getQueryParameters().get("chunks").getFirst());
                    writeChunks(ex.getOutputStream(), chunks);
                }));
    }

    /** {@code GET /slow}: one chunk, then waits (at most 30 s) for {@code gate}, then a second chunk. */
    static RoutingHandler slow(CountDownLatch gate) {
        return basic().get("/slow", blocking(ex -> {
            OutputStream out = ex.getOutputStream();
            writeChunks(out, 1);
            try {
                gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            writeChunks(out, 1);
        }));
    }

    static void readAll(HttpServerExchange exchange) throws IOException {
        int n = exchange.getInputStream().readAllBytes().length;
        exchange.getResponseSender().send("n=" + n);
    }

    private static void writeChunks(OutputStream out, int chunks) throws IOException {
        byte[] chunk = BodyCountingTest.filled(CHUNK_SIZE);
        for (int i = 0; i < chunks; i++) {
            out.write(chunk);
            out.flush();
        }
    }

    interface BlockingBody {
        void handle(HttpServerExchange exchange) throws IOException;
    }

    /** Runs the body on a worker thread with blocking streams (Undertow's own BlockingHandler). */
    static io.undertow.server.HttpHandler blocking(BlockingBody body) {
        return new BlockingHandler(body::handle);
    }
}
