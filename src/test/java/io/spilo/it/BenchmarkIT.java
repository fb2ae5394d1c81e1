package io.spilo.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spilo.config.TimingSettings;
import io.spilo.process.Signals;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Spilo's headline figures (bin/bench): not a pass/fail test. Each run builds a fresh cluster in
 * network namespaces with HAProxy and a writing client, and measures what a client sees. Prints a
 * table and writes target/benchmark.json; never fails because the machine is slow.
 */
class BenchmarkIT {
    private static final int RUNS = Integer.getInteger("spilo.benchmark.runs", 3);
    private static final Map<String, TimingSettings> PROFILES = new LinkedHashMap<>();

    static {
        PROFILES.put("patroni 30/10/10", TimingSettings.PATRONI_DEFAULTS);
        PROFILES.put("spilo default 8/2/3", TimingSettings.SPILO_DEFAULTS);
        PROFILES.put("fast 5/1/2", new TimingSettings(5, 1, 2));
    }

    @Test
    void benchmark() throws Exception {
        assumeTrue(Boolean.getBoolean("spilo.benchmark"), "benchmark runs only with -Dspilo.benchmark=true (bin/bench)");
        String reason = NetworkLab.unavailableReason();
        assumeTrue(reason.isEmpty(), "benchmark skipped: " + reason);
        Map<String, Map<String, List<Double>>> results = new LinkedHashMap<>();
        for (Map.Entry<String, TimingSettings> profile : PROFILES.entrySet()) {
            Map<String, List<Double>> metrics = new LinkedHashMap<>();
            for (int run = 0; run < RUNS; run++) {
                measure(profile.getValue(), metrics);
            }
            results.put(profile.getKey(), metrics);
        }
        report(results);
    }

    private static void add(Map<String, List<Double>> metrics, String name, double value) {
        metrics.computeIfAbsent(name, key -> new ArrayList<>()).add(value);
    }

    private void measure(TimingSettings timing, Map<String, List<Double>> metrics) throws Exception {
        try (FaultCluster cluster = new FaultCluster("bench", false, timing)) {
            cluster.start();
            add(metrics, "bootstrap of 3 members (s)", cluster.bootstrapSeconds);
            Thread.sleep(5000);
            long[] ticksBefore = new long[3];
            long[] etcdBefore = new long[3];
            for (int i = 0; i < 3; i++) {
                ticksBefore[i] = cpuTicks(cluster.members.get(i).agent().pid());
                etcdBefore[i] = etcdMessages(cluster.etcdHosts.get(i).address());
            }
            long restSeconds = 20;
            Thread.sleep(restSeconds * 1000);
            double cpu = 0;
            double rss = 0;
            double etcd = 0;
            for (int i = 0; i < 3; i++) {
                cpu += (cpuTicks(cluster.members.get(i).agent().pid()) - ticksBefore[i]) / 100.0 / restSeconds * 100 / 3;
                rss += residentMebibytes(cluster.members.get(i).agent().pid()) / 3;
                etcd += (etcdMessages(cluster.etcdHosts.get(i).address()) - etcdBefore[i]) / (double) restSeconds / 3;
            }
            add(metrics, "agent CPU at rest (% of a core)", cpu);
            add(metrics, "agent resident memory at rest (MiB)", rss);
            add(metrics, "etcd requests per second per member at rest", etcd);

            // Issue 19: only the postmaster dies; its agent restarts it in place. Where the time goes:
            // a new postmaster (detection and start), the member answering /primary again, the client's gap.
            AgentNode crashed = cluster.primary();
            long postmaster = crashed.postmasterPid().orElseThrow();
            long crashedAt = System.currentTimeMillis();
            Signals.send(postmaster, "KILL");
            long restartedAt = 0;
            long deadline = crashedAt + 60_000;
            while (System.currentTimeMillis() < deadline) {
                if (restartedAt == 0 && crashed.postmasterPid().filter(pid -> pid != postmaster).isPresent()) {
                    restartedAt = System.currentTimeMillis();
                }
                if (restartedAt != 0 && crashed.status("/primary") == 200) {
                    break;
                }
                Thread.sleep(20);
            }
            long servingAt = System.currentTimeMillis();
            Thread.sleep(3000);
            add(metrics, "postmaster crash: SIGKILL to a new postmaster (s)", (restartedAt - crashedAt) / 1000.0);
            add(metrics, "postmaster crash: SIGKILL to /primary 200 again (s)", (servingAt - crashedAt) / 1000.0);
            add(metrics, "postmaster crash: longest gap between acknowledged writes (s)", longestGap(cluster, crashedAt));
            cluster.awaitHealthy();

            AgentNode primary = cluster.primary();
            long killedAt = System.currentTimeMillis();
            primary.killAgentAndPostgres();
            add(metrics, "failover after SIGKILL of the primary node, client view (s)", firstWriteElsewhere(cluster, primary, killedAt));
            primary.startAgent();
            cluster.awaitHealthy();

            primary = cluster.primary();
            long isolatedAt = System.currentTimeMillis();
            cluster.lab.linkDown(primary.host());
            add(metrics, "failover after isolation of the primary, client view (s)", firstWriteElsewhere(cluster, primary, isolatedAt));
            cluster.lab.heal(primary.host());
            cluster.awaitHealthy();

            primary = cluster.primary();
            AgentNode candidate = cluster.members.stream().filter(member -> member != cluster.primaries().get(0)).findFirst().orElseThrow();
            long switchedAt = System.currentTimeMillis();
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + primary.address + ":8008/switchover"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"leader\":\"" + primary.name + "\",\"candidate\":\"" + candidate.name + "\"}"))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.discarding());
            Thread.sleep(5000);
            add(metrics, "switchover: longest gap between acknowledged writes (s)", longestGap(cluster, switchedAt));
        }
    }

    /** Seconds from {@code since} to the first write acknowledged by a member other than the old primary. */
    private static double firstWriteElsewhere(FaultCluster cluster, AgentNode old, long since) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            for (String[] line : FaultSuiteIT.readLog(cluster.writerLog)) {
                if (line[0].equals("ok") && Long.parseLong(line[2]) > since && !line[3].startsWith(old.name + "/")) {
                    return (Long.parseLong(line[2]) - since) / 1000.0;
                }
            }
            Thread.sleep(200);
        }
        return Double.NaN;
    }

    private static double longestGap(FaultCluster cluster, long since) throws Exception {
        long previous = since;
        long longest = 0;
        for (String[] line : FaultSuiteIT.readLog(cluster.writerLog)) {
            long at = Long.parseLong(line[2]);
            if (line[0].equals("ok") && at > since) {
                longest = Math.max(longest, at - previous);
                previous = at;
            }
        }
        return longest / 1000.0;
    }

    private static long cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private static double residentMebibytes(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }

    /** gRPC messages etcd received (requests, lease keep-alives, watch messages), from its /metrics. */
    private static long etcdMessages(String address) throws Exception {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + address + ":2379/metrics"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        long total = 0;
        for (String line : body.split("\n")) {
            if (line.startsWith("grpc_server_msg_received_total{")) {
                total += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    private static void report(Map<String, Map<String, List<Double>>> results) throws Exception {
        StringBuilder table = new StringBuilder(String.format("%nSPILO BENCHMARK (%d runs per profile; median [min-max])%n", RUNS));
        List<String> metricNames = new ArrayList<>(results.values().iterator().next().keySet());
        table.append(String.format("%-62s", "metric"));
        results.keySet().forEach(profile -> table.append(String.format(" | %-24s", profile)));
        table.append('\n');
        ObjectNode json = new ObjectMapper().createObjectNode().put("runs", RUNS);
        ArrayNode rows = json.putArray("metrics");
        for (String metric : metricNames) {
            table.append(String.format("%-62s", metric));
            ObjectNode row = rows.addObject().put("metric", metric);
            for (Map.Entry<String, Map<String, List<Double>>> profile : results.entrySet()) {
                List<Double> values = new ArrayList<>(profile.getValue().getOrDefault(metric, List.of()));
                values.sort(null);
                double median = values.isEmpty() ? Double.NaN : values.get(values.size() / 2);
                double min = values.isEmpty() ? Double.NaN : values.get(0);
                double max = values.isEmpty() ? Double.NaN : values.get(values.size() - 1);
                table.append(String.format(" | %6.2f [%5.2f-%6.2f]   ", median, min, max));
                ObjectNode cell = row.putObject(profile.getKey()).put("median", median).put("min", min).put("max", max);
                ArrayNode all = cell.putArray("values");
                values.forEach(all::add);
            }
            table.append('\n');
        }
        System.out.print(table);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "benchmark.json"), json.toPrettyString());
        System.out.println("written to target/benchmark.json");
    }
}
