package io.github.httpbandwidth;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * Traffic of known sizes against {@link TestRoutes#basic()} served with a {@link HeaderClassifier}, and the
 * figures it must produce.
 */
final class KnownTraffic {

    static final int SMALL_UPLOADS = 11;
    static final int SMALL_UPLOAD = 3000;
    static final int LARGE_UPLOADS = 9;
    static final int LARGE_UPLOAD = 100_000;
    static final int UPLOADS = SMALL_UPLOADS + LARGE_UPLOADS;
    static final long UPLOAD_BYTES_IN = (long) SMALL_UPLOADS * SMALL_UPLOAD + (long) LARGE_UPLOADS * LARGE_UPLOAD;
    /** The answers {@code n=3000} and {@code n=100000}. */
    static final long UPLOAD_BYTES_OUT = SMALL_UPLOADS * 6L + LARGE_UPLOADS * 8L;
    static final int AWKWARD_GETS = HeaderClassifier.AWKWARD_NAMES.length;
    static final long AWKWARD_BYTES_OUT = (long) AWKWARD_GETS * TestRoutes.SMALL_SIZE;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String base;

    KnownTraffic(String base) {
        this.base = base;
    }

    /** One {@code GET /small} per awkward endpoint name: 1000 bytes out each, 0 in. */
    void awkwardGets() throws Exception {
        for (String name : HeaderClassifier.AWKWARD_NAMES) {
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(base + "/small"))
                    .header(HeaderClassifier.HEADER.toString(), HeaderClassifier.encode(name)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            check(r, TestRoutes.SMALL_SIZE);
        }
    }

    /** 11 uploads of 3000 bytes and 9 of 100 000 to {@code /upload}. */
    void uploads() throws Exception {
        for (int i = 0; i < UPLOADS; i++) {
            int size = i < SMALL_UPLOADS ? SMALL_UPLOAD : LARGE_UPLOAD;
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(base + "/upload"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[size])).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            check(r, ("n=" + size).length());
        }
    }

    private static void check(HttpResponse<byte[]> response, int expectedBody) {
        if (response.statusCode() != 200 || response.body().length != expectedBody) {
            throw new AssertionError("unexpected answer " + response.statusCode() + " with "
                    + response.body().length + " bytes from " + response.uri());
        }
    }

    /**
     * A registered {@link BandwidthStats} named {@code name}, with the {@link HeaderClassifier}, after the awkward
     * GETs and the uploads went through a server counting into it; close it when done.
     */
    static BandwidthStats countedInto(String name) throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name(name).classifier(new HeaderClassifier()).build();
        stats.registerMBean(java.lang.management.ManagementFactory.getPlatformMBeanServer());
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, TestRoutes.basic()))) {
            KnownTraffic traffic = new KnownTraffic("http://127.0.0.1:" + server.port());
            traffic.awkwardGets();
            traffic.uploads();
            Await.completed(stats, AWKWARD_GETS + UPLOADS);
        }
        return stats;
    }
}
