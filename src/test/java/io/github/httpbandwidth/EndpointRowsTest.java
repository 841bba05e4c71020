package io.github.httpbandwidth;

import io.undertow.Handlers;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The endpoint cap, the overflow row, and a classifier that throws. */
class EndpointRowsTest {

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void namesBeyondTheCapShareTheOverflowRow() throws Exception {
        // A deliberately bad classifier (raw paths) shows the cap holding.
        BandwidthStats stats = BandwidthStats.builder().name("cap-test").endpointCap(3)
                .classifier(ex -> ex.getRequestPath()).build();
        try (TestServer server = TestServer.start(new BandwidthHandler(stats,
                Handlers.path(ex -> ex.getResponseSender().send("ok"))))) {
            for (int i = 0; i < 10; i++) {
                get(server, "/item/" + i);
            }
            get(server, "/item/1");

            BandwidthSnapshot s = Await.completed(stats, 11);
            assertThat(s.endpoints()).extracting(EndpointSnapshot::endpoint)
                    .containsExactlyInAnyOrder("/item/0", "/item/1", "/item/2", "(unmatched)", "(overflow)");
            assertThat(s.endpoint("/item/1").requests()).isEqualTo(2);
            assertThat(s.overflowRequests()).isEqualTo(7);
            assertThat(s.endpoint("(overflow)").bytesSent()).isEqualTo(7 * 2);
            assertThat(s.bytesSent()).isEqualTo(11 * 2);
        }
    }

    @Test
    void aThrowingClassifierIsCountedAndTheRequestNeverNotices() throws Exception {
        BandwidthStats stats = BandwidthStats.builder().name("throwing-classifier").classifier(ex -> {
            throw new IllegalStateException("broken classifier");
        }).build();
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, TestRoutes.basic()))) {
            HttpResponse<byte[]> response = get(server, "/small");

            BandwidthSnapshot s = Await.completed(stats, 1);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).hasSize(TestRoutes.SMALL_SIZE);
            assertThat(s.classifierErrors()).isEqualTo(1);
            assertThat(RowCounts.of(s.endpoint("(unmatched)"))).isEqualTo(new RowCounts("(unmatched)", 0,
                    TestRoutes.SMALL_SIZE, 1));
        }
    }

    @Test
    void badOptionsAreRefusedWithWhatIsAllowed() {
        assertThatThrownBy(() -> BandwidthStats.builder().endpointCap(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("endpointCap: got 0; allowed are 1 to 10000");
        assertThatThrownBy(() -> BandwidthStats.builder().endpointCap(10_001))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allowed are 1 to 10000");
        assertThatThrownBy(() -> BandwidthStats.builder().name("a b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("name: got \"a b\"; allowed are 1 to 64 characters of A-Z a-z 0-9 . _ -");
        assertThatThrownBy(() -> BandwidthStats.builder().name(""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BandwidthStats.builder().name("x".repeat(65)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private HttpResponse<byte[]> get(TestServer server, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(server.uri(path)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
