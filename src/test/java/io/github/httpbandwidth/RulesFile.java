package io.github.httpbandwidth;

import io.prometheus.jmx.JmxCollector;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a JMX exporter rules file the way a test needs it. */
final class RulesFile {

    private RulesFile() {
    }

    /** One scrape of the platform MBeanServer through {@code rules}, by the exporter's own collector, in process. */
    static String scrape(Path rules) throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        new JmxCollector(rules.toFile(), JmxCollector.Mode.AGENT).register(registry);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PrometheusTextFormatWriter(false).write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The Prometheus names the rules emit: counters get _total, the buckets their relabelled _bucket. */
    static Set<String> namesProduced(Path rules) throws Exception {
        Set<String> names = new HashSet<>();
        Matcher rule = Pattern.compile("(?m)^    name: (\\S+)\\n    type: (\\S+)").matcher(
                Files.readString(rules).replace("    cache: true\n", ""));
        while (rule.find()) {
            String name = rule.group(1);
            names.add("COUNTER".equals(rule.group(2)) ? name + "_total" : name);
        }
        return names;
    }
}
