package io.spilo.it;

import io.spilo.config.TimingSettings;
import io.spilo.process.Signals;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One benchmark run: a fresh cluster of one governor (Spilo or Patroni) in network namespaces with
 * HAProxy and writing clients, and the figures a user would compare, measured the same way for
 * both: from outside, by pid, through etcd's and the members' own interfaces.
 */
final class BenchmarkRun {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    static final String BOOTSTRAP = "bootstrap: start to 3 members streaming (s)";
    static final String KILL_LEADER_KEY = "SIGKILL of the primary node: leader key gone (s)";
    static final String KILL_PRIMARY = "SIGKILL of the primary node: new /primary 200 (s)";
    static final String KILL_WRITE = "SIGKILL of the primary node: first write via HAProxy (s)";
    static final String KILL_AFTER_EXPIRY = "SIGKILL: leader key gone to first write (s)";

    private final TimingSettings timing;
    private final Governor governor;
    private final long restSeconds;
    /** Per metric, this run's value; the failover timeline's steps for the chart. */
    final Map<String, Double> metrics = new LinkedHashMap<>();

    BenchmarkRun(TimingSettings timing, Governor governor, long restSeconds) {
        this.timing = timing;
        this.governor = governor;
        this.restSeconds = restSeconds;
    }

    BenchmarkRun measure() throws Exception {
        String scope = "bench";
        try (FaultCluster cluster = new FaultCluster(scope, timing, governor)) {
            cluster.start();
            metrics.put(BOOTSTRAP, cluster.bootstrapSeconds);
            rest(cluster);
            postmasterCrash(cluster);
            cluster.awaitHealthy();
            sigkill(cluster, scope);
            isolation(cluster);
            switchover(cluster);
        }
        return this;
    }

    private void rest(FaultCluster cluster) throws Exception {
        FaultCluster.sleep(5000);
        long[] ticksBefore = new long[3];
        long[] etcdBefore = new long[3];
        for (int i = 0; i < 3; i++) {
            ticksBefore[i] = cpuTicks(cluster.members.get(i).agent().pid());
            etcdBefore[i] = etcdMessages(cluster.etcdHosts.get(i).address());
        }
        FaultCluster.sleep(restSeconds * 1000);
        double cpu = 0;
        double rss = 0;
        double threads = 0;
        double etcd = 0;
        for (int i = 0; i < 3; i++) {
            long pid = cluster.members.get(i).agent().pid();
            cpu += (cpuTicks(pid) - ticksBefore[i]) / 100.0 / restSeconds * 100 / 3;
            rss += procStatus(pid, "VmRSS:") / 1024.0 / 3;
            threads += procStatus(pid, "Threads:") / 3.0;
            etcd += (etcdMessages(cluster.etcdHosts.get(i).address()) - etcdBefore[i]) / (double) restSeconds / 3;
        }
        metrics.put("rest: governor CPU (% of a core)", cpu);
        metrics.put("rest: governor resident memory (MiB)", rss);
        metrics.put("rest: governor threads", threads);
        metrics.put("rest: etcd requests per second per member", etcd);
    }

    /** Only the postmaster dies: its governor restarts it in place. */
    private void postmasterCrash(FaultCluster cluster) throws Exception {
        AgentNode crashed = cluster.primary();
        long postmaster = crashed.postmasterPid().orElseThrow();
        long crashedAt = System.currentTimeMillis();
        Signals.send(postmaster, "KILL");
        long restartedAt = 0;
        long deadline = crashedAt + 120_000;
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
        metrics.put("postmaster crash: new postmaster (s)", seconds(crashedAt, restartedAt));
        metrics.put("postmaster crash: /primary 200 again (s)", seconds(crashedAt, servingAt));
        metrics.put("postmaster crash: longest write gap via HAProxy (s)", longestGap(cluster, crashedAt));
    }

    /** kill -9 of the primary's governor and postmaster; each step from the kill, as seen from outside. */
    private void sigkill(FaultCluster cluster, String scope) throws Exception {
        AgentNode primary = cluster.primary();
        String etcd = cluster.etcdHosts.get(1).address();
        long killedAt = System.currentTimeMillis();
        primary.killAgentAndPostgres();
        long leaderGoneAt = 0;
        long newPrimaryAt = 0;
        long deadline = killedAt + 180_000;
        while (newPrimaryAt == 0 && System.currentTimeMillis() < deadline) {
            if (leaderGoneAt == 0 && !primary.name.equals(leaderKey(etcd, scope))) {
                leaderGoneAt = System.currentTimeMillis();
            }
            for (AgentNode member : cluster.members) {
                if (member != primary && newPrimaryAt == 0 && member.status("/primary") == 200) {
                    newPrimaryAt = System.currentTimeMillis();
                }
            }
            Thread.sleep(50);
        }
        double firstWrite = firstWriteElsewhere(cluster, primary, killedAt);
        metrics.put(KILL_LEADER_KEY, seconds(killedAt, leaderGoneAt));
        metrics.put(KILL_PRIMARY, seconds(killedAt, newPrimaryAt));
        metrics.put(KILL_WRITE, firstWrite);
        metrics.put(KILL_AFTER_EXPIRY, firstWrite - seconds(killedAt, leaderGoneAt));
        primary.startAgent();
        cluster.awaitHealthy();
    }

    private void isolation(FaultCluster cluster) throws Exception {
        AgentNode primary = cluster.primary();
        long isolatedAt = System.currentTimeMillis();
        cluster.lab.linkDown(primary.host());
        metrics.put("isolation of the primary: first write elsewhere via HAProxy (s)", firstWriteElsewhere(cluster, primary, isolatedAt));
        cluster.lab.heal(primary.host());
        cluster.awaitHealthy();
    }

    private void switchover(FaultCluster cluster) throws Exception {
        AgentNode primary = cluster.primary();
        AgentNode candidate = cluster.members.stream().filter(member -> member != primary).findFirst().orElseThrow();
        long switchedAt = System.currentTimeMillis();
        HTTP.send(HttpRequest.newBuilder(URI.create("http://" + primary.address + ":8008/switchover"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"leader\":\"" + primary.name + "\",\"candidate\":\"" + candidate.name + "\"}"))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.discarding());
        firstWriteElsewhere(cluster, primary, switchedAt);
        Thread.sleep(3000);
        metrics.put("switchover: longest write gap via HAProxy (s)", longestGap(cluster, switchedAt));
    }

    private static double seconds(long from, long to) {
        return to == 0 ? Double.NaN : (to - from) / 1000.0;
    }

    /** The leader key's holder, read through etcd's HTTP gateway; empty when there is none (or etcd does not answer). */
    private static String leaderKey(String etcdAddress, String scope) {
        String key = Base64.getEncoder().encodeToString(("/service/" + scope + "/leader").getBytes(StandardCharsets.UTF_8));
        try {
            String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + etcdAddress + ":2379/v3/kv/range"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"" + key + "\"}")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            int at = body.indexOf("\"value\":\"");
            if (at < 0) {
                return "";
            }
            String value = body.substring(at + 9, body.indexOf('"', at + 9));
            return new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
        } catch (Exception e) {
            return "";
        }
    }

    /** Seconds from {@code since} to the first write acknowledged by a member other than the old primary. */
    static double firstWriteElsewhere(FaultCluster cluster, AgentNode old, long since) throws Exception {
        long deadline = System.currentTimeMillis() + 180_000;
        while (System.currentTimeMillis() < deadline) {
            for (String[] line : FaultSuiteIT.readLog(cluster.writerLog)) {
                if (line[0].equals("ok") && Long.parseLong(line[2]) > since && !line[3].startsWith(old.name + "/")) {
                    return (Long.parseLong(line[2]) - since) / 1000.0;
                }
            }
            Thread.sleep(100);
        }
        return Double.NaN;
    }

    static double longestGap(FaultCluster cluster, long since) throws Exception {
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

    private static long procStatus(long pid, String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** gRPC messages etcd received (requests, lease keep-alives, watch messages; its HTTP gateway's too), from its /metrics. */
    private static long etcdMessages(String address) throws Exception {
        String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + address + ":2379/metrics"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        long total = 0;
        for (String line : body.split("\n")) {
            if (line.startsWith("grpc_server_msg_received_total{")) {
                total += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    static List<String> metricOrder() {
        return new ArrayList<>(List.of(BOOTSTRAP, "rest: governor CPU (% of a core)", "rest: governor resident memory (MiB)",
                "rest: governor threads", "rest: etcd requests per second per member", "postmaster crash: new postmaster (s)",
                "postmaster crash: /primary 200 again (s)", "postmaster crash: longest write gap via HAProxy (s)", KILL_LEADER_KEY,
                KILL_PRIMARY, KILL_WRITE, KILL_AFTER_EXPIRY, "isolation of the primary: first write elsewhere via HAProxy (s)",
                "switchover: longest write gap via HAProxy (s)"));
    }
}
