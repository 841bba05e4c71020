package io.github.httpbandwidth;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a scrape of the shipped rules must show after {@link KnownTraffic#awkwardGets()} and
 * {@link KnownTraffic#uploads()}: every contract name, its type, its HELP, its labels and its exact value.
 */
final class MetricsContract {

    private static final String[] COUNTERS = {
        "scheduler_http_bandwidth_bytes_total", "scheduler_http_requests_total",
        "scheduler_http_endpoint_bandwidth_bytes_total", "scheduler_http_endpoint_requests_total",
        "scheduler_http_endpoint_overflow_requests_total", "scheduler_http_endpoint_classifier_errors_total",
        "scheduler_http_endpoint_status_bandwidth_bytes_total", "scheduler_http_endpoint_status_requests_total",
        "scheduler_http_client_bandwidth_bytes_total", "scheduler_http_client_requests_total",
        "scheduler_http_client_key_errors_total",
    };
    private static final String[] GAUGES = {
        "scheduler_http_requests_in_flight", "scheduler_http_request_size_bytes_avg",
        "scheduler_http_response_size_bytes_avg", "scheduler_http_endpoint_cap", "scheduler_http_upgraded_connections_open",
        "scheduler_http_bandwidth_start_time_seconds", "scheduler_http_client_capacity",
        "scheduler_http_client_error_bytes",
    };
    /** The agent strips _bucket: the buckets arrive under the bare histogram name, with le. */
    private static final String[] UNTYPED = {
        "scheduler_http_request_size_bytes", "scheduler_http_request_size_bytes_sum",
        "scheduler_http_request_size_bytes_count", "scheduler_http_response_size_bytes",
        "scheduler_http_response_size_bytes_sum", "scheduler_http_response_size_bytes_count",
    };

    private MetricsContract() {
    }

    static void assertKnownTraffic(Exposition e, String handler) {
        assertTypesAndHelp(e);
        Map<String, String> h = Map.of("handler", handler);
        long requests = KnownTraffic.AWKWARD_GETS + KnownTraffic.UPLOADS;
        long bytesOut = KnownTraffic.AWKWARD_BYTES_OUT + KnownTraffic.UPLOAD_BYTES_OUT;

        assertThat(e.value("scheduler_http_bandwidth_bytes_total", with(h, "direction", "inbound")))
                .isEqualTo(KnownTraffic.UPLOAD_BYTES_IN);
        assertThat(e.value("scheduler_http_bandwidth_bytes_total", with(h, "direction", "outbound")))
                .isEqualTo(bytesOut);
        assertThat(e.find("scheduler_http_bandwidth_bytes_total", h)).hasSize(2);
        assertThat(e.value("scheduler_http_requests_total", h)).isEqualTo(requests);
        assertThat(e.value("scheduler_http_requests_in_flight", h)).isZero();
        assertThat(e.value("scheduler_http_request_size_bytes_avg", h))
                .isEqualTo((double) KnownTraffic.UPLOAD_BYTES_IN / requests);
        assertThat(e.value("scheduler_http_response_size_bytes_avg", h)).isEqualTo((double) bytesOut / requests);

        assertThat(e.find("scheduler_http_request_size_bytes", h)).hasSize(33);
        assertThat(bucket(e, h, "request", "0")).isEqualTo(KnownTraffic.AWKWARD_GETS);
        assertThat(bucket(e, h, "request", "1024")).isEqualTo(KnownTraffic.AWKWARD_GETS);
        assertThat(bucket(e, h, "request", "4096")).isEqualTo(KnownTraffic.AWKWARD_GETS + KnownTraffic.SMALL_UPLOADS);
        assertThat(bucket(e, h, "request", "65536")).isEqualTo(KnownTraffic.AWKWARD_GETS + KnownTraffic.SMALL_UPLOADS);
        assertThat(bucket(e, h, "request", "262144")).isEqualTo(requests);
        assertThat(bucket(e, h, "request", "+Inf")).isEqualTo(requests);
        assertThat(e.value("scheduler_http_request_size_bytes_sum", h)).isEqualTo(KnownTraffic.UPLOAD_BYTES_IN);
        assertThat(e.value("scheduler_http_request_size_bytes_count", h)).isEqualTo(requests);
        assertThat(e.find("scheduler_http_response_size_bytes", h)).hasSize(33);
        assertThat(bucket(e, h, "response", "4")).isZero();
        assertThat(bucket(e, h, "response", "16")).isEqualTo(KnownTraffic.UPLOADS);
        assertThat(bucket(e, h, "response", "1024")).isEqualTo(requests);
        assertThat(bucket(e, h, "response", "+Inf")).isEqualTo(requests);
        assertThat(e.value("scheduler_http_response_size_bytes_sum", h)).isEqualTo(bytesOut);
        assertThat(e.value("scheduler_http_response_size_bytes_count", h)).isEqualTo(requests);

        for (String name : HeaderClassifier.AWKWARD_ROWS) {
            Map<String, String> endpoint = with(h, "endpoint", name);
            assertThat(e.value("scheduler_http_endpoint_requests_total", endpoint)).as(name).isEqualTo(1);
            assertThat(e.value("scheduler_http_endpoint_bandwidth_bytes_total", with(endpoint, "direction", "outbound")))
                    .as(name).isEqualTo(TestRoutes.SMALL_SIZE);
            assertThat(e.value("scheduler_http_endpoint_bandwidth_bytes_total", with(endpoint, "direction", "inbound")))
                    .as(name).isZero();
        }
        Map<String, String> upload = with(h, "endpoint", "/upload");
        assertThat(e.value("scheduler_http_endpoint_requests_total", upload)).isEqualTo(KnownTraffic.UPLOADS);
        assertThat(e.value("scheduler_http_endpoint_bandwidth_bytes_total", with(upload, "direction", "inbound")))
                .isEqualTo(KnownTraffic.UPLOAD_BYTES_IN);
        assertThat(e.value("scheduler_http_endpoint_bandwidth_bytes_total", with(upload, "direction", "outbound")))
                .isEqualTo(KnownTraffic.UPLOAD_BYTES_OUT);
        // The named rows, (unmatched) and (overflow), and nothing else.
        assertThat(e.find("scheduler_http_endpoint_requests_total", h)).hasSize(KnownTraffic.AWKWARD_GETS + 3);
        assertThat(e.value("scheduler_http_endpoint_requests_total", with(h, "endpoint", "(unmatched)"))).isZero();
        assertThat(e.value("scheduler_http_endpoint_overflow_requests_total", h)).isZero();
        assertThat(e.value("scheduler_http_endpoint_classifier_errors_total", h)).isZero();
        assertThat(e.value("scheduler_http_endpoint_cap", h)).isEqualTo(BandwidthStats.DEFAULT_ENDPOINT_CAP);
        assertThat(e.value("scheduler_http_upgraded_connections_open", h)).isZero();
        assertThat(e.value("scheduler_http_bandwidth_start_time_seconds", h)).isGreaterThan(1.7e9);
        assertThat(e.samples).noneMatch(s -> s.name().startsWith("scheduler_http") && s.name().contains("per_second"));

        // Every answer was a 200: one status class per endpoint, equal to the endpoint's row.
        Map<String, String> uploadOk = with(upload, "status_class", "2xx");
        assertThat(e.find("scheduler_http_endpoint_status_requests_total", h)).hasSize(KnownTraffic.AWKWARD_GETS + 1);
        assertThat(e.value("scheduler_http_endpoint_status_requests_total", uploadOk)).isEqualTo(KnownTraffic.UPLOADS);
        assertThat(e.value("scheduler_http_endpoint_status_bandwidth_bytes_total", with(uploadOk, "direction", "inbound")))
                .isEqualTo(KnownTraffic.UPLOAD_BYTES_IN);
        // One client, the test's own address, and (other), empty.
        Map<String, String> local = with(h, "client", "127.0.0.1");
        assertThat(e.value("scheduler_http_client_requests_total", local)).isEqualTo(requests);
        assertThat(e.value("scheduler_http_client_bandwidth_bytes_total", with(local, "direction", "inbound")))
                .isEqualTo(KnownTraffic.UPLOAD_BYTES_IN);
        assertThat(e.value("scheduler_http_client_bandwidth_bytes_total", with(local, "direction", "outbound")))
                .isEqualTo(bytesOut);
        assertThat(e.value("scheduler_http_client_requests_total", with(h, "client", "(other)"))).isZero();
        assertThat(e.find("scheduler_http_client_requests_total", h)).hasSize(2);
        // The table is not full: no error on the client, and no least weight on (other).
        assertThat(e.value("scheduler_http_client_error_bytes", local)).isZero();
        assertThat(e.value("scheduler_http_client_error_bytes", with(h, "client", "(other)"))).isZero();
        assertThat(e.find("scheduler_http_client_error_bytes", h)).hasSize(2);
        assertThat(e.value("scheduler_http_client_capacity", h)).isEqualTo(50);
        assertThat(e.value("scheduler_http_client_key_errors_total", h)).isZero();
    }

    private static void assertTypesAndHelp(Exposition e) {
        for (String name : COUNTERS) {
            assertThat(e.type.get(name)).as("TYPE of " + name).isEqualTo("counter");
        }
        for (String name : GAUGES) {
            assertThat(e.type.get(name)).as("TYPE of " + name).isEqualTo("gauge");
        }
        for (String name : UNTYPED) {
            assertThat(e.type.get(name)).as("TYPE of " + name).isEqualTo("untyped");
        }
        assertThat(e.type.keySet().stream().filter(n -> n.startsWith("scheduler_http")))
                .containsExactlyInAnyOrder(concat(COUNTERS, GAUGES, UNTYPED));
        for (String name : concat(COUNTERS, GAUGES, UNTYPED)) {
            assertThat(e.help.get(name)).as("HELP of " + name)
                    .isNotBlank().doesNotContain("io.github.httpbandwidth:name=").endsWith(")");
        }
    }

    private static double bucket(Exposition e, Map<String, String> handler, String which, String le) {
        return e.value("scheduler_http_" + which + "_size_bytes", with(handler, "le", le));
    }

    static Map<String, String> with(Map<String, String> labels, String name, String value) {
        Map<String, String> result = new java.util.HashMap<>(labels);
        result.put(name, value);
        return result;
    }

    private static String[] concat(String[]... arrays) {
        return java.util.Arrays.stream(arrays).flatMap(java.util.Arrays::stream).toArray(String[]::new);
    }
}
