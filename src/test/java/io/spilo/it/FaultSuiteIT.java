package io.spilo.it;

import io.spilo.process.Signals;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The fault-injection suite (DESIGN §7): a real cluster in network namespaces, broken the way
 * networks and machines break while a client writes through HAProxy. After each fault heals, a
 * checker reads the client's log and the data. Short form (each fault once, asynchronous and
 * synchronous mode) in every test run; {@code -Dspilo.faults.rounds=N} repeats it.
 */
// It runs beside other classes again: the one fault that once did not heal there (a switchover's
// candidate killed right after promoting) was a timeline-number divergence, now recognised
// (DivergedTimelineIT). A fault that does not heal names each member's state in the failure.
class FaultSuiteIT {
    private static final int ROUNDS = Integer.getInteger("spilo.faults.rounds", 1);
    /** Runs only the faults whose name contains this text (for repeating one fault in the long suite). */
    private static final String ONLY = System.getProperty("spilo.faults.only", "");
    private static final long HOLD_MILLIS = 15_000;

    /** One fault: how to break the cluster, and how to heal it. */
    interface Nemesis {
        String name();

        void inject(FaultCluster cluster, AgentNode primary) throws Exception;

        void heal(FaultCluster cluster, AgentNode primary) throws Exception;
    }

    record Simple(String name, Action inject, Action heal) implements Nemesis {
        @Override
        public void inject(FaultCluster cluster, AgentNode primary) throws Exception {
            inject.run(cluster, primary);
        }

        @Override
        public void heal(FaultCluster cluster, AgentNode primary) throws Exception {
            heal.run(cluster, primary);
        }
    }

    interface Action {
        void run(FaultCluster cluster, AgentNode primary) throws Exception;
    }

    private static List<String> others(FaultCluster cluster, AgentNode primary) {
        List<String> addresses = new ArrayList<>();
        cluster.members.stream().filter(member -> member != primary).forEach(member -> addresses.add(member.address));
        addresses.add(cluster.client.address());
        return addresses;
    }

    static List<Nemesis> nemeses() {
        return List.of(
                new Simple("kill -9 primary agent and postmaster", (cluster, primary) -> {
                    primary.killAgentAndPostgres();
                    Thread.sleep(HOLD_MILLIS);
                }, (cluster, primary) -> primary.startAgent()),
                new Simple("kill -9 primary postmaster only", (cluster, primary) -> Signals.send(primary.postmasterPid().orElseThrow(), "KILL"),
                        (cluster, primary) -> { }),
                new Simple("SIGSTOP primary agent for longer than ttl", (cluster, primary) -> {
                    primary.agent().signal("STOP");
                    Thread.sleep(HOLD_MILLIS);
                }, (cluster, primary) -> primary.agent().signal("CONT")),
                new Simple("primary cut off from etcd", (cluster, primary) -> {
                    cluster.lab.cut(primary.host(), cluster.etcdAddresses(), true, true);
                    Thread.sleep(HOLD_MILLIS);
                }, (cluster, primary) -> cluster.lab.heal(primary.host())),
                new Simple("primary cut off from replicas and clients, not etcd", (cluster, primary) -> {
                    cluster.lab.cut(primary.host(), others(cluster, primary), true, true);
                    Thread.sleep(HOLD_MILLIS);
                }, (cluster, primary) -> cluster.lab.heal(primary.host())),
                new Simple("primary isolated entirely (link down)", (cluster, primary) -> {
                    cluster.lab.linkDown(primary.host());
                    Thread.sleep(HOLD_MILLIS);
                }, (cluster, primary) -> cluster.lab.heal(primary.host())),
                new Simple("one etcd member of three lost", (cluster, primary) -> {
                    cluster.etcd.get(0).signal("KILL");
                    Thread.sleep(HOLD_MILLIS);
                }, (cluster, primary) -> cluster.startEtcd(0)),
                new Simple("all of etcd lost", (cluster, primary) -> {
                    cluster.etcd.forEach(process -> process.signal("STOP"));
                    Thread.sleep(HOLD_MILLIS);
                }, (cluster, primary) -> cluster.etcd.forEach(process -> process.signal("CONT"))),
                new Simple("replica killed during a switchover", (cluster, primary) -> {
                    List<AgentNode> replicas = cluster.members.stream().filter(member -> member != primary).toList();
                    AgentNode candidate = replicas.get(0);
                    Thread request = new Thread(() -> switchover(primary, candidate));
                    request.start();
                    Thread.sleep(300);
                    candidate.killAgentAndPostgres();
                    request.join(60_000);
                }, (cluster, primary) -> cluster.members.stream().filter(member -> member.agent() == null || !member.agent().isAlive())
                        .forEach(AgentNode::startAgent)),
                new Simple("primary node killed while the replicas lag in replay", (cluster, primary) -> {
                    List<AgentNode> replicas = cluster.members.stream().filter(member -> member != primary).toList();
                    for (AgentNode replica : replicas) {
                        sql(replica, "SELECT pg_wal_replay_pause()");
                    }
                    // The writer keeps writing: both replicas receive WAL that they do not replay.
                    Thread.sleep(3_000);
                    primary.killAgentAndPostgres();
                    org.awaitility.Awaitility.await("a replica takes over").atMost(FaultCluster.CONVERGE)
                            .pollInterval(Duration.ofMillis(100)).until(() -> replicas.stream().map(node -> node.json("/patroni"))
                                    .anyMatch(status -> status.path("state").asText().equals("promoting")
                                            || status.path("role").asText().equals("primary")));
                    for (AgentNode replica : replicas) {
                        try {
                            sql(replica, "SELECT pg_wal_replay_resume()");
                        } catch (java.sql.SQLException recoveryEnded) {
                            // the winner is out of recovery already: nothing to resume there
                        }
                    }
                }, (cluster, primary) -> primary.startAgent()),
                new Simple("primary node killed twice, 26 s apart, each back 14 s later", (cluster, primary) -> {
                    primary.killAgentAndPostgres();
                    Thread.sleep(14_000);
                    primary.startAgent();
                    Thread.sleep(12_000);
                    AgentNode second = cluster.primary();
                    second.killAgentAndPostgres();
                    Thread.sleep(14_000);
                    second.startAgent();
                }, (cluster, primary) -> { }),
                new Simple("a malformed value in the cluster config", (cluster, primary) -> {
                    cluster.breakConfig();
                    Thread.sleep(HOLD_MILLIS);
                }, (cluster, primary) -> cluster.restoreLiveConfig()),
                new Simple("one-way partition: etcd does not hear the primary", (cluster, primary) -> {
                    cluster.lab.cut(primary.host(), cluster.etcdAddresses(), true, false);
                    Thread.sleep(HOLD_MILLIS);
                }, (cluster, primary) -> cluster.lab.heal(primary.host())));
    }

    private static void sql(AgentNode node, String statement) throws java.sql.SQLException {
        try (java.sql.Connection connection = node.connect(); java.sql.Statement sql = connection.createStatement()) {
            sql.execute(statement);
        }
    }

    private static void switchover(AgentNode from, AgentNode to) {
        try {
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + from.address + ":8008/switchover"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"leader\":\"" + from.name + "\",\"candidate\":\"" + to.name + "\"}"))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.discarding());
        } catch (Exception e) {
            // the outcome is judged from the cluster, not from this request
        }
    }

    /** What the checker found for one fault. */
    record Outcome(String fault, long acknowledged, long unknown, double longestGapSeconds, long splitBrainWrites, long staleReads,
            boolean recovered) {
    }

    @Test
    void asynchronousMode() throws Exception {
        run("async", false);
    }

    @Test
    void synchronousMode() throws Exception {
        run("sync", true);
    }

    private void run(String mode, boolean synchronous) throws Exception {
        String reason = NetworkLab.unavailableReason();
        assumeTrue(reason.isEmpty(), "fault suite skipped: " + reason);
        record Window(String fault, long from, long to, boolean recovered) {
        }
        List<Window> windows = new ArrayList<>();
        List<String> unhealed = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        List<Outcome> reconnectingOutcomes = new ArrayList<>();
        List<Outcome> directOutcomes = new ArrayList<>();
        long lost;
        long acknowledgedTotal;
        ClientSummary clients;
        try (FaultCluster cluster = new FaultCluster("fault" + mode, synchronous)) {
            cluster.start();
            for (int round = 0; round < ROUNDS; round++) {
                for (Nemesis nemesis : nemeses().stream().filter(nemesis -> nemesis.name().contains(ONLY)).toList()) {
                    AgentNode primary = cluster.primary();
                    long from = System.currentTimeMillis();
                    nemesis.inject(cluster, primary);
                    nemesis.heal(cluster, primary);
                    boolean recovered;
                    try {
                        cluster.awaitHealthy();
                        recovered = true;
                    } catch (org.awaitility.core.ConditionTimeoutException e) {
                        recovered = false;
                        unhealed.add(nemesis.name() + ":\n  " + String.join("\n  ", cluster.members.stream().map(AgentNode::diagnosis).toList()));
                    }
                    FaultCluster.sleep(1000);
                    windows.add(new Window(nemesis.name(), from, System.currentTimeMillis(), recovered));
                    if (!recovered) {
                        break;
                    }
                }
            }
            FaultCluster.sleep(2000);
            cluster.stopWriter();
            List<String[]> log = readLog(cluster.writerLog);
            List<String[]> reconnecting = readLog(cluster.writerLogs.get("reconnecting via HAProxy"));
            // The direct writers as one timeline: a member acknowledging after another member's term began is split-brain.
            List<String[]> direct = new ArrayList<>();
            for (Map.Entry<String, Path> entry : cluster.writerLogs.entrySet()) {
                if (entry.getKey().startsWith("direct")) {
                    direct.addAll(readLog(entry.getValue()));
                }
            }
            direct.sort(java.util.Comparator.comparingLong(line -> Long.parseLong(line[2])));
            // Analysed with the whole log: a gap still open when a fault's window closed ends in a later line.
            for (Window window : windows) {
                outcomes.add(analyse(window.fault(), log, window.from(), window.to(), window.recovered()));
                reconnectingOutcomes.add(analyse(window.fault(), reconnecting, window.from(), window.to(), window.recovered()));
                directOutcomes.add(analyse(window.fault(), direct, window.from(), window.to(), window.recovered()));
            }
            Map<Long, String> stored = cluster.storedRows(cluster.primary());
            Set<Long> acknowledged = idsOf("ok", log);
            acknowledged.addAll(idsOf("ok", reconnecting));
            lost = acknowledged.stream().filter(id -> !stored.containsKey(id)).count();
            acknowledgedTotal = acknowledged.size();
            Set<Long> directAcknowledged = idsOf("ok", direct);
            Set<Long> unknown = idsOf("unknown", log);
            unknown.addAll(idsOf("unknown", reconnecting));
            unknown.addAll(idsOf("unknown", direct));
            clients = new ClientSummary(directAcknowledged.size(), directAcknowledged.stream().filter(id -> !stored.containsKey(id)).count(),
                    unknown.size(), unknown.stream().filter(stored::containsKey).count());
        }
        report(mode, outcomes, acknowledgedTotal, lost);
        reportClients(reconnectingOutcomes, directOutcomes, clients);
        assertThat(reconnectingOutcomes).as("reconnecting writer: split-brain writes").allMatch(outcome -> outcome.splitBrainWrites() == 0);
        assertThat(reconnectingOutcomes).as("reconnecting writer: stale reads").allMatch(outcome -> outcome.staleReads() == 0);
        // The fence (issue 13) keeps a deposed primary from taking writes from clients that bypass HAProxy.
        assertThat(directOutcomes).as("direct writers: split-brain writes").allMatch(outcome -> outcome.splitBrainWrites() == 0);
        assertThat(outcomes).as("every fault healed into one primary and all replicas streaming; not healed: %s", unhealed)
                .allMatch(Outcome::recovered);
        assertThat(outcomes).as("writes acknowledged by a primary after another had taken over").allMatch(outcome -> outcome.splitBrainWrites() == 0);
        assertThat(outcomes).as("reads through the primary port that missed an acknowledged write").allMatch(outcome -> outcome.staleReads() == 0);
        if (synchronous) {
            assertThat(lost).as("acknowledged writes lost in synchronous mode").isZero();
            assertThat(clients.directLost()).as("direct writers: acknowledged writes lost in synchronous mode").isZero();
        }
    }

    /** Direct writers' acknowledged writes and their losses (asserted zero in synchronous mode); writes of unknown outcome and how many committed. */
    record ClientSummary(long directAcknowledged, long directLost, long unknown, long unknownCommitted) {
    }

    private static Set<Long> idsOf(String kind, List<String[]> log) {
        Set<Long> ids = new HashSet<>();
        log.stream().filter(line -> line[0].equals(kind)).forEach(line -> ids.add(Long.parseLong(line[1])));
        return ids;
    }

    private static void reportClients(List<Outcome> reconnecting, List<Outcome> direct, ClientSummary clients) {
        StringBuilder table = new StringBuilder(String.format("%-55s %8s %10s %11s %6s | %8s %11s%n", "fault (other clients)",
                "reconn.", "max gap s", "split-brain", "stale", "direct", "split-brain"));
        for (int i = 0; i < reconnecting.size(); i++) {
            Outcome again = reconnecting.get(i);
            Outcome bypass = direct.get(i);
            table.append(String.format("%-55s %8d %10.1f %11d %6d | %8d %11d%n", again.fault(), again.acknowledged(),
                    again.longestGapSeconds(), again.splitBrainWrites(), again.staleReads(), bypass.acknowledged(), bypass.splitBrainWrites()));
        }
        table.append(String.format("direct writers: %d acknowledged, %d of them lost;"
                + " writes of unknown outcome: %d, of which %d committed%n", clients.directAcknowledged(), clients.directLost(),
                clients.unknown(), clients.unknownCommitted()));
        System.out.print(table);
    }

    static List<String[]> readLog(Path file) throws java.io.IOException {
        List<String[]> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String[] fields = line.split(" ");
            if (fields.length >= 3) {
                lines.add(fields);
            }
        }
        return lines;
    }

    /**
     * One fault's window of the client log: the longest time without an acknowledged write,
     * split-brain writes — acknowledgements by a server term (member and timeline) after a later
     * term had already acknowledged writes in this window: a deposed primary still writing; a member
     * elected again runs a new timeline, so it is a new term — and stale reads through the primary port.
     */
    static Outcome analyse(String fault, List<String[]> log, long from, long to, boolean recovered) {
        long acknowledged = 0;
        long unknown = 0;
        long previous = from;
        long longestGap = 0;
        List<String> servers = new ArrayList<>();
        long splitBrain = 0;
        long stale = 0;
        for (String[] line : log) {
            long at = Long.parseLong(line[2]);
            if (at > to && line[0].equals("ok")) {
                // The first write after the window closes the gap that was open at its end.
                longestGap = Math.max(longestGap, at - previous);
                break;
            }
            if (at < from) {
                continue;
            }
            if (line[0].equals("unknown")) {
                unknown++;
            }
            if (line[0].equals("stale")) {
                stale++;
            }
            if (!line[0].equals("ok")) {
                continue;
            }
            acknowledged++;
            longestGap = Math.max(longestGap, at - previous);
            previous = at;
            String server = line[3];
            if (servers.isEmpty() || !servers.get(servers.size() - 1).equals(server)) {
                if (servers.contains(server)) {
                    splitBrain++;
                } else {
                    servers.add(server);
                }
            }
        }
        return new Outcome(fault, acknowledged, unknown, longestGap / 1000.0, splitBrain, stale, recovered);
    }

    private static void report(String mode, List<Outcome> outcomes, long acknowledged, long lost) throws java.io.IOException {
        StringBuilder table = new StringBuilder(String.format("%nFAULT REPORT (%s mode): %d acknowledged writes, %d lost%n", mode, acknowledged, lost));
        table.append(String.format("%-55s %8s %8s %10s %11s %6s %9s%n", "fault", "acked", "unknown", "max gap s", "split-brain",
                "stale", "recovered"));
        ArrayNode json = new ObjectMapper().createArrayNode();
        for (Outcome outcome : outcomes) {
            table.append(String.format("%-55s %8d %8d %10.1f %11d %6d %9s%n", outcome.fault(), outcome.acknowledged(), outcome.unknown(),
                    outcome.longestGapSeconds(), outcome.splitBrainWrites(), outcome.staleReads(), outcome.recovered()));
            json.add(new ObjectMapper().valueToTree(outcome));
        }
        System.out.print(table);
        ObjectNode document = new ObjectMapper().createObjectNode().put("mode", mode).put("acknowledged", acknowledged).put("lost", lost);
        document.set("faults", json);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "fault-report-" + mode + ".json"), document.toPrettyString());
    }
}
