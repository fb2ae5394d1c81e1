package io.spilo.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The benchmark's output: a table per profile (Spilo, Patroni, ratio), JSON, and an SVG of the failover timelines. */
final class BenchmarkReport {
    /** The steps of a SIGKILL failover, in order, as drawn in the chart. */
    private static final List<String> TIMELINE = List.of(BenchmarkRun.KILL_LEADER_KEY, BenchmarkRun.KILL_PRIMARY, BenchmarkRun.KILL_WRITE);
    private static final List<String> TIMELINE_LABELS = List.of("kill → leader key gone", "→ new /primary 200", "→ first write via HAProxy");
    private static final List<String> COLOURS = List.of("#9aa5b1", "#4c78a8", "#f58518");

    private final int runs;
    private final long restSeconds;
    // profile → governor → metric → values of each run
    private final Map<String, Map<Governor, Map<String, List<Double>>>> results = new LinkedHashMap<>();

    BenchmarkReport(int runs, long restSeconds) {
        this.runs = runs;
        this.restSeconds = restSeconds;
    }

    void add(String profile, Governor governor, BenchmarkRun run) {
        Map<String, List<Double>> metrics = results.computeIfAbsent(profile, name -> new EnumMap<>(Governor.class))
                .computeIfAbsent(governor, name -> new LinkedHashMap<>());
        run.metrics.forEach((metric, value) -> metrics.computeIfAbsent(metric, name -> new ArrayList<>()).add(value));
    }

    void write(Path directory) throws IOException {
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
                "%nSPILO BENCHMARK: %d runs per system and profile, alternating; rest window %d s; median [min-max]%n", runs, restSeconds));
        ObjectNode json = new ObjectMapper().createObjectNode().put("runs", runs).put("rest_seconds", restSeconds);
        ArrayNode profiles = json.putArray("profiles");
        for (Map.Entry<String, Map<Governor, Map<String, List<Double>>>> profile : results.entrySet()) {
            Map<Governor, Map<String, List<Double>>> byGovernor = profile.getValue();
            boolean sideBySide = byGovernor.containsKey(Governor.PATRONI);
            text.append(String.format(Locale.ROOT, "%n%s%n%-64s | %-22s", profile.getKey(), "metric", "Spilo"));
            text.append(sideBySide ? String.format(Locale.ROOT, " | %-22s | %s", "Patroni 3.0.2", "Spilo/Patroni") : "").append('\n');
            ObjectNode profileJson = profiles.addObject().put("profile", profile.getKey());
            ArrayNode rows = profileJson.putArray("metrics");
            for (String metric : BenchmarkRun.metricOrder()) {
                ObjectNode row = rows.addObject().put("metric", metric);
                Summary spilo = Summary.of(byGovernor.get(Governor.SPILO), metric);
                text.append(String.format(Locale.ROOT, "%-64s | %-22s", metric, spilo));
                spilo.into(row.putObject("spilo"));
                if (sideBySide) {
                    Summary patroni = Summary.of(byGovernor.get(Governor.PATRONI), metric);
                    double ratio = spilo.median / patroni.median;
                    text.append(String.format(Locale.ROOT, " | %-22s | %.2f", patroni, ratio));
                    patroni.into(row.putObject("patroni"));
                    row.put("ratio_spilo_to_patroni", ratio);
                }
                text.append('\n');
            }
        }
        System.out.print(text);
        Files.createDirectories(directory);
        Files.writeString(directory.resolve("benchmark.json"), json.toPrettyString());
        Files.writeString(directory.resolve("benchmark-failover.svg"), failoverChart());
        System.out.println("written to " + directory.resolve("benchmark.json") + " and " + directory.resolve("benchmark-failover.svg"));
    }

    /** Horizontal bars, one per system and profile: the median time of each failover step after the kill. */
    private String failoverChart() {
        List<String> labels = new ArrayList<>();
        List<double[]> bars = new ArrayList<>();
        results.forEach((profile, byGovernor) -> byGovernor.forEach((governor, metrics) -> {
            labels.add((governor == Governor.SPILO ? "Spilo" : "Patroni") + " — " + profile);
            double[] steps = new double[TIMELINE.size()];
            for (int i = 0; i < steps.length; i++) {
                steps[i] = Summary.of(metrics, TIMELINE.get(i)).median;
            }
            bars.add(steps);
        }));
        double longest = bars.stream().mapToDouble(steps -> steps[steps.length - 1]).filter(Double::isFinite).max().orElse(1);
        int left = 330;
        int width = 560;
        int rowHeight = 28;
        int top = 50;
        int height = top + bars.size() * rowHeight + 60;
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                left + width + 80, height));
        svg.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"20\" font-size=\"15\">SIGKILL of the primary node: median seconds"
                + " after the kill (%d runs each)</text>%n", runs));
        for (int row = 0; row < bars.size(); row++) {
            int y = top + row * rowHeight;
            svg.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\">%s</text>%n", y + 15, escape(labels.get(row))));
            double previous = 0;
            double[] steps = bars.get(row);
            for (int i = 0; i < steps.length; i++) {
                if (!Double.isFinite(steps[i])) {
                    continue;
                }
                double from = left + previous / longest * width;
                double to = left + Math.max(previous, steps[i]) / longest * width;
                svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"20\" fill=\"%s\"/>%n",
                        from, y, Math.max(0.5, to - from), COLOURS.get(i)));
                previous = Math.max(previous, steps[i]);
            }
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%.1f s</text>%n", left + previous / longest * width + 5, y + 15,
                    previous));
        }
        int legendY = top + bars.size() * rowHeight + 25;
        for (int i = 0; i < TIMELINE_LABELS.size(); i++) {
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>%n", left + i * 190, legendY, COLOURS.get(i), left + i * 190 + 16, legendY + 11,
                    escape(TIMELINE_LABELS.get(i))));
        }
        return svg.append("</svg>\n").toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** Median, minimum and maximum of one metric's runs (NaN when a step was never seen). */
    private record Summary(double median, double min, double max, List<Double> values) {
        static Summary of(Map<String, List<Double>> metrics, String metric) {
            List<Double> values = new ArrayList<>(metrics == null ? List.of() : metrics.getOrDefault(metric, List.of()));
            values.sort(null);
            if (values.isEmpty()) {
                return new Summary(Double.NaN, Double.NaN, Double.NaN, values);
            }
            return new Summary(values.get(values.size() / 2), values.get(0), values.get(values.size() - 1), values);
        }

        void into(ObjectNode node) {
            node.put("median", median).put("min", min).put("max", max);
            ArrayNode all = node.putArray("values");
            values.forEach(all::add);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%7.2f [%.2f-%.2f]", median, min, max);
        }
    }
}
