package io.github.httpbandwidth.otel;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
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

/**
 * An OTLP/HTTP metrics receiver on 127.0.0.1 that decodes the agent's real protobuf ({@code POST /v1/metrics}) with
 * opentelemetry-proto and keeps every number data point of every sum and gauge, in arrival order.
 */
final class OtlpReceiver implements AutoCloseable {

    /**
     * One data point: the metric, its attributes (sorted), its value, whether it was monotonic; for a histogram,
     * the value is its sum and {@code count} its count (-1 for sums and gauges).
     */
    record Point(String metric, String unit, Map<String, String> attributes, long value, boolean monotonic, long count) {

        Point(String metric, String unit, Map<String, String> attributes, long value, boolean monotonic) {
            this(metric, unit, attributes, value, monotonic, -1);
        }
    }

    private final HttpServer server;
    private final List<Point> points = new ArrayList<>();
    private int requests;

    OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/metrics", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            ExportMetricsServiceRequest request = ExportMetricsServiceRequest.parseFrom(body);
            record(request);
            byte[] answer = ExportMetricsServiceResponse.getDefaultInstance().toByteArray();
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
    }

    private synchronized void record(ExportMetricsServiceRequest request) {
        requests++;
        for (ResourceMetrics resource : request.getResourceMetricsList()) {
            for (ScopeMetrics scope : resource.getScopeMetricsList()) {
                for (Metric metric : scope.getMetricsList()) {
                    if (metric.hasHistogram()) {
                        for (HistogramDataPoint point : metric.getHistogram().getDataPointsList()) {
                            points.add(new Point(metric.getName(), metric.getUnit(), attributes(point.getAttributesList()),
                                    Math.round(point.getSum()), true, point.getCount()));
                        }
                        continue;
                    }
                    List<NumberDataPoint> data;
                    boolean monotonic;
                    if (metric.hasSum()) {
                        data = metric.getSum().getDataPointsList();
                        monotonic = metric.getSum().getIsMonotonic();
                    } else if (metric.hasGauge()) {
                        data = metric.getGauge().getDataPointsList();
                        monotonic = false;
                    } else {
                        continue;
                    }
                    for (NumberDataPoint point : data) {
                        Map<String, String> attributes = attributes(point.getAttributesList());
                        long value = point.hasAsInt() ? point.getAsInt() : Math.round(point.getAsDouble());
                        points.add(new Point(metric.getName(), metric.getUnit(), attributes, value, monotonic));
                    }
                }
            }
        }
    }

    private static Map<String, String> attributes(List<KeyValue> list) {
        Map<String, String> attributes = new TreeMap<>();
        for (KeyValue kv : list) {
            attributes.put(kv.getKey(), kv.getValue().hasIntValue() ? Long.toString(kv.getValue().getIntValue())
                    : kv.getValue().getStringValue());
        }
        return attributes;
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/metrics";
    }

    synchronized int requests() {
        return requests;
    }

    synchronized List<Point> points() {
        return List.copyOf(points);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
