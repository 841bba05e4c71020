package io.github.httpbandwidth;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Prometheus' HTTP query API, as Grafana uses it. */
final class PrometheusApi {

    private final String base;
    private final HttpClient client = HttpClient.newHttpClient();

    PrometheusApi(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    boolean ready() {
        try {
            return client.send(HttpRequest.newBuilder(URI.create(base + "/-/ready")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    /** The {@code data.result} of an instant query at the current time. */
    List<Map<String, Object>> query(String promql) throws Exception {
        return query(promql, null);
    }

    /** The {@code data.result} of an instant query at {@code timeSeconds} (now when null). */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> query(String promql, Double timeSeconds) throws Exception {
        String uri = base + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + (timeSeconds == null ? "" : "&time=" + timeSeconds);
        return (List<Map<String, Object>>) ((Map<String, Object>) get(uri).get("data")).get("result");
    }

    /** The values of {@code label} on the series that match {@code selector}, as Grafana's label_values() asks. */
    @SuppressWarnings("unchecked")
    List<String> labelValues(String label, String selector) throws Exception {
        String uri = base + "/api/v1/label/" + label + "/values?match[]="
                + URLEncoder.encode(selector, StandardCharsets.UTF_8);
        return (List<String>) get(uri).get("data");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> get(String uri) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(uri)).build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, Object> body = (Map<String, Object>) Json.parse(response.body());
        if (response.statusCode() != 200 || !"success".equals(body.get("status"))) {
            throw new IllegalStateException(uri + " failed: " + response.body());
        }
        return body;
    }

    /** The value of a query that must return exactly one series. */
    double single(String promql) throws Exception {
        return single(promql, null);
    }

    /** The one series' value of an instant query at {@code timeSeconds} (now when null). */
    double single(String promql, Double timeSeconds) throws Exception {
        List<Map<String, Object>> result = query(promql, timeSeconds);
        if (result.size() != 1) {
            throw new AssertionError("expected one series from " + promql + ", got " + result);
        }
        return valueOf(result.get(0));
    }

    /** Waits until a single-series query returns {@code expected}. */
    void awaitValue(String promql, double expected) {
        awaitValue(promql, expected, Await.DEADLINE);
    }

    /**
     * As {@link #awaitValue(String, double)}, for up to {@code limit}: for a row series, which shows 0 for its row
     * hold before its counts (the example stack's 15 s, plus a scrape).
     */
    void awaitValue(String promql, double expected, java.time.Duration limit) {
        java.util.concurrent.atomic.AtomicReference<Object> last = new java.util.concurrent.atomic.AtomicReference<>();
        Await.until(promql + " == " + expected, limit, () -> {
            try {
                List<Map<String, Object>> result = query(promql);
                last.set(result);
                return result.size() == 1 && valueOf(result.get(0)) == expected;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, () -> String.valueOf(last.get()));
    }

    @SuppressWarnings("unchecked")
    static double valueOf(Map<String, Object> series) {
        return Double.parseDouble((String) ((List<Object>) series.get("value")).get(1));
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> labelsOf(Map<String, Object> series) {
        return (Map<String, String>) (Map<String, ?>) series.get("metric");
    }
}
