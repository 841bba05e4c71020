package io.github.httpbandwidth.spring;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * What a registry's scrape gives, with the common tags Actuator's Prometheus registry puts on every meter
 * ({@code management.metrics.tags.*}, {@code commonTags} of a {@code MeterRegistryCustomizer}) added as labels, so
 * that the rules' series are found by the selectors Micrometer's own meters are found by ({@code application="jobs"}).
 * A label a series has already keeps its value, as a meter's own tag does in Micrometer. Counters, gauges and untyped
 * series (what the JMX exporter's rule engine gives) get them; any other kind is passed on as it is.
 */
final class CommonLabels implements MultiCollector {

    private static final Log LOG = LogFactory.getLog(CommonLabels.class);

    private final PrometheusRegistry source;
    private final Labels common;

    CommonLabels(PrometheusRegistry source, Labels common) {
        this.source = source;
        this.common = common;
    }

    /**
     * The tags {@code registry} adds to a meter that has none of its own, as Prometheus labels (keys through the
     * registry's naming convention): read from a gauge registered and removed at once, named under the starter's
     * meters, which Actuator's Prometheus registry refuses while the starter's meters are on (so nothing is registered
     * then; with them off, the gauge is in the registry for that moment at start-up).
     */
    static Labels of(MeterRegistry registry) {
        Meter probe;
        try {
            probe = Gauge.builder(BandwidthMeters.PREFIX + "common.tags", () -> 0).register(registry);
        } catch (RuntimeException e) {
            // A filter of the application's that fails: the series go without the tags rather than the start fail.
            LOG.warn("The common tags of " + registry + " could not be read; the bandwidth rules' series go without "
                    + "them: " + e);
            return Labels.EMPTY;
        }
        try {
            Map<String, String> labels = new LinkedHashMap<>();
            for (Tag tag : probe.getId().getTagsAsIterable()) {
                String name = registry.config().namingConvention().tagKey(tag.getKey());
                // As the registry's exposition writes the key; one no label can have is left out.
                if (PrometheusNaming.isValidLabelName(name)) {
                    labels.putIfAbsent(name, tag.getValue());
                }
            }
            return Labels.of(new ArrayList<>(labels.keySet()), new ArrayList<>(labels.values()));
        } finally {
            registry.remove(probe);
        }
    }

    @Override
    public MetricSnapshots collect() {
        MetricSnapshots snapshots = source.scrape();
        if (common.isEmpty()) {
            return snapshots;
        }
        List<MetricSnapshot> labelled = new ArrayList<>(snapshots.size());
        for (MetricSnapshot snapshot : snapshots) {
            labelled.add(labelled(snapshot));
        }
        return new MetricSnapshots(labelled);
    }

    private MetricSnapshot labelled(MetricSnapshot snapshot) {
        if (snapshot instanceof CounterSnapshot counter) {
            return new CounterSnapshot(counter.getMetadata(), each(counter.getDataPoints(), p ->
                    new CounterDataPointSnapshot(p.getValue(), with(p.getLabels()), p.getExemplar(), created(p),
                            scraped(p))));
        }
        if (snapshot instanceof GaugeSnapshot gauge) {
            return new GaugeSnapshot(gauge.getMetadata(), each(gauge.getDataPoints(), p ->
                    new GaugeDataPointSnapshot(p.getValue(), with(p.getLabels()), p.getExemplar(), scraped(p))));
        }
        if (snapshot instanceof UnknownSnapshot unknown) {
            return new UnknownSnapshot(unknown.getMetadata(), each(unknown.getDataPoints(), p ->
                    new UnknownDataPointSnapshot(p.getValue(), with(p.getLabels()), p.getExemplar(), scraped(p))));
        }
        return snapshot;
    }

    private static <P> List<P> each(List<P> points, UnaryOperator<P> copy) {
        List<P> copies = new ArrayList<>(points.size());
        for (P point : points) {
            copies.add(copy.apply(point));
        }
        return copies;
    }

    /** A data point's timestamps as its constructors take them: 0 for none. */
    private static long created(DataPointSnapshot point) {
        return point.hasCreatedTimestamp() ? point.getCreatedTimestampMillis() : 0;
    }

    private static long scraped(DataPointSnapshot point) {
        return point.hasScrapeTimestamp() ? point.getScrapeTimestampMillis() : 0;
    }

    /** {@code own} with each common label it does not have: one merge when it has none of them, as is usual. */
    private Labels with(Labels own) {
        boolean clash = false;
        for (int i = 0; i < common.size() && !clash; i++) {
            clash = own.contains(common.getName(i));
        }
        if (!clash) {
            return own.merge(common);
        }
        Labels labels = own;
        for (int i = 0; i < common.size(); i++) {
            if (!own.contains(common.getName(i))) {
                labels = labels.add(common.getName(i), common.getValue(i));
            }
        }
        return labels;
    }
}
