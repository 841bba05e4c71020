package io.github.httpbandwidth.spring;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A collector on 127.0.0.1 for Micrometer's OTLP registry: every OTLP/HTTP protobuf export it receives, decoded with
 * opentelemetry-proto, in order of arrival.
 */
final class OtlpCollector implements AutoCloseable {

    private final HttpServer server;
    private final List<ExportMetricsServiceRequest> requests = new CopyOnWriteArrayList<>();

    private OtlpCollector() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/metrics", exchange -> {
            try (InputStream body = exchange.getRequestBody()) {
                requests.add(ExportMetricsServiceRequest.parseFrom(body.readAllBytes()));
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
    }

    static OtlpCollector start() throws IOException {
        return new OtlpCollector();
    }

    /** For {@code management.otlp.metrics.export.url}. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/metrics";
    }

    /** The last export received, or {@code null} before the first. */
    ExportMetricsServiceRequest last() {
        return requests.isEmpty() ? null : requests.get(requests.size() - 1);
    }

    /** Every sum data point of every export, in order: its {@link #series} and its value. */
    List<Map.Entry<String, Double>> sumPoints() {
        List<Map.Entry<String, Double>> points = new ArrayList<>();
        for (ExportMetricsServiceRequest request : requests) {
            for (ResourceMetrics resource : request.getResourceMetricsList()) {
                for (ScopeMetrics scope : resource.getScopeMetricsList()) {
                    for (Metric metric : scope.getMetricsList()) {
                        for (NumberDataPoint point : metric.getSum().getDataPointsList()) {
                            points.add(Map.entry(series(metric, point), point.getAsDouble()));
                        }
                    }
                }
            }
        }
        return points;
    }

    /** A data point's series as {@code name key=value ...}, its attributes in key order. */
    static String series(Metric metric, NumberDataPoint point) {
        Map<String, String> attributes = new TreeMap<>();
        point.getAttributesList().forEach(a -> attributes.put(a.getKey(), a.getValue().getStringValue()));
        StringBuilder series = new StringBuilder(metric.getName());
        attributes.forEach((key, value) -> series.append(' ').append(key).append('=').append(value));
        return series.toString();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
