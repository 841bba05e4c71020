package io.github.httpbandwidth;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** grafana/distributed-scheduler.json as shipped, and Grafana's expansion of the variables in its queries. */
final class GrafanaDashboard {

    static final Path FILE = Path.of("grafana/distributed-scheduler.json");

    final Map<String, Object> model;
    private final Pattern metric;

    private GrafanaDashboard(Map<String, Object> model, String prefix) {
        this.model = model;
        this.metric = Pattern.compile(Pattern.quote(prefix) + "_[a-z0-9_]+");
    }

    /** The shipped dashboard, whose metrics are named scheduler_http_*. */
    static GrafanaDashboard load() throws Exception {
        return load(FILE, "scheduler_http");
    }

    @SuppressWarnings("unchecked")
    static GrafanaDashboard load(Path file, String prefix) throws Exception {
        return new GrafanaDashboard((Map<String, Object>) Json.parse(Files.readString(file)), prefix);
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> panels() {
        return (List<Map<String, Object>>) model.get("panels");
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> variables() {
        return (List<Map<String, Object>>) ((Map<String, Object>) model.get("templating")).get("list");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> targets(Map<String, Object> panel) {
        Object targets = panel.get("targets");
        return targets == null ? List.of() : (List<Map<String, Object>>) targets;
    }

    /** Every query the dashboard sends: panel targets and variable queries. */
    @SuppressWarnings("unchecked")
    List<String> allQueries() {
        List<String> queries = new ArrayList<>();
        for (Map<String, Object> panel : panels()) {
            for (Map<String, Object> target : targets(panel)) {
                queries.add((String) target.get("expr"));
            }
        }
        for (Map<String, Object> variable : variables()) {
            if ("query".equals(variable.get("type"))) {
                queries.add((String) ((Map<String, Object>) variable.get("query")).get("query"));
            }
        }
        return queries;
    }

    Set<String> metricNames() {
        Set<String> names = new TreeSet<>();
        for (String query : allQueries()) {
            Matcher m = metric.matcher(query);
            while (m.find()) {
                names.add(m.group());
            }
        }
        return names;
    }

    /** The values for one panel: its minimum interval, if any, as $__interval (Grafana never goes below it). */
    static Map<String, String> panelValues(Map<String, Object> panel, Map<String, String> values) {
        Map<String, String> panelValues = new java.util.HashMap<>(values);
        if (panel.get("interval") != null) {
            panelValues.put("__interval", (String) panel.get("interval"));
        }
        return panelValues;
    }

    /**
     * Expands a query the way Grafana does before sending it: the interval variables, then the dashboard's own
     * variables ({@code $name} and {@code ${name}}), a multi-value "All" becoming its allValue.
     */
    static String expand(String query, Map<String, String> values) {
        Map<String, String> ordered = new LinkedHashMap<>();
        // Longest first, so that $__rate_interval is not read as $__rate followed by text.
        values.keySet().stream().sorted((a, b) -> b.length() - a.length()).forEach(k -> ordered.put(k, values.get(k)));
        String expanded = query;
        for (Map.Entry<String, String> e : ordered.entrySet()) {
            expanded = expanded.replace("${" + e.getKey() + "}", e.getValue()).replace("$" + e.getKey(), e.getValue());
        }
        if (expanded.contains("$")) {
            throw new AssertionError("a variable Grafana would expand is left in: " + expanded);
        }
        return expanded;
    }
}
