package io.spilo.it;

import io.spilo.process.Signals;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.spilo.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** DESIGN §4 invariant 2 with real processes: in synchronous mode no acknowledged commit is ever lost. */
class SynchronousModeIT {
    private static final Duration CONVERGE = Duration.ofSeconds(120);
    private TestCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private Optional<AgentNode> synchronousStandby() {
        return cluster.nodes.stream().filter(node -> node.status("/sync") == 200).findFirst();
    }

    private void awaitSynchronousStandby() {
        await("a synchronous standby").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                .until(() -> cluster.primaries().size() == 1 && synchronousStandby().isPresent());
    }

    private static void kill(AgentNode node) throws InterruptedException {
        long postmaster = node.postmasterPid().orElseThrow();
        node.agent().signal("KILL");
        Signals.send(postmaster, "KILL");
        node.agent().waitFor(Duration.ofSeconds(10));
    }

    private static Set<Long> storedIds(AgentNode node) throws Exception {
        Set<Long> stored = new HashSet<>();
        try (Connection connection = node.connect(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT id FROM writer_ids")) {
            while (rows.next()) {
                stored.add(rows.getLong(1));
            }
        }
        return stored;
    }

    @Test
    void twoPrimaryCrashesAndASwitchoverLoseNoAcknowledgedWrite() throws Exception {
        cluster = new TestCluster("sync", 3, "    synchronous_mode: true\n", name -> "");
        cluster.startWithNode1Leading(CONVERGE);
        TestCluster.Proxy proxy = cluster.startHaproxy(CONVERGE);
        awaitSynchronousStandby();
        Writer writer = new Writer(proxy.primaryPort());
        try {
            await().atMost(CONVERGE).until(() -> writer.acknowledgedCount() > 50);
            for (int crash = 1; crash <= 2; crash++) {
                AgentNode primary = cluster.primaries().get(0);
                AgentNode standby = synchronousStandby().orElseThrow();
                AgentNode asynchronous = cluster.nodes.stream().filter(node -> node != primary && node != standby).findFirst().orElseThrow();
                long killedAt = System.nanoTime();
                kill(primary);
                await("a new primary").atMost(CONVERGE).pollInterval(Duration.ofMillis(100))
                        .until(() -> cluster.primaries().stream().anyMatch(node -> node != primary));
                assertThat(cluster.primaries()).as("the synchronous standby, never the asynchronous " + asynchronous.name)
                        .containsExactly(standby);
                int before = writer.acknowledgedCount();
                await("writes resume").atMost(CONVERGE).until(() -> writer.acknowledgedCount() > before + 20);
                System.out.printf("MEASURE synchronous failover %d: longest write gap %.0f ms%n", crash,
                        writer.longestGapMillisSince(killedAt));
                primary.startAgent();
                cluster.awaitHealthy(CONVERGE);
                awaitSynchronousStandby();
            }
            AgentNode from = cluster.primaries().get(0);
            String candidate = synchronousStandby().orElseThrow().name;
            StringWriter out = new StringWriter();
            int exit = Main.run(new PrintWriter(out, true), new PrintWriter(out, true), "switchover", "-c",
                    cluster.nodes.get(0).configFile.toString(), "--candidate", candidate, "--force");
            assertThat(exit).as(out.toString()).isZero();
            int before = writer.acknowledgedCount();
            await("writes resume after the switchover").atMost(CONVERGE).until(() -> writer.acknowledgedCount() > before + 20);
            assertThat(cluster.primaries()).doesNotContain(from);
        } finally {
            writer.close();
        }
        AgentNode primary = cluster.primaries().get(0);
        Set<Long> stored = storedIds(primary);
        List<Long> lost = writer.acknowledgedIds().stream().filter(id -> !stored.contains(id)).toList();
        System.out.printf("MEASURE synchronous mode: %d acknowledged writes, %d lost%n", writer.acknowledgedIds().size(), lost.size());
        assertThat(lost).as("acknowledged writes lost").isEmpty();
    }

    @Test
    void losingTheSynchronousStandbyNonStrictGoesOnStrictWaits() throws Exception {
        cluster = new TestCluster("strict", 3, "    synchronous_mode: true\n    synchronous_mode_strict: true\n", name -> "");
        cluster.startWithNode1Leading(CONVERGE);
        TestCluster.Proxy proxy = cluster.startHaproxy(CONVERGE);
        awaitSynchronousStandby();
        AgentNode primary = cluster.primaries().get(0);
        List<AgentNode> replicas = cluster.nodes.stream().filter(node -> node != primary).toList();
        Writer writer = new Writer(proxy.primaryPort());
        try {
            await().atMost(CONVERGE).until(() -> writer.acknowledgedCount() > 20);
            for (AgentNode replica : replicas) {
                kill(replica);
            }
            long lostAt = System.nanoTime();
            Thread.sleep(3000);
            int blocked = writer.acknowledgedCount();
            Thread.sleep(5000);
            assertThat(writer.acknowledgedCount()).as("strict: no commit is acknowledged without a standby").isEqualTo(blocked);
            assertThat(primary.status("/primary")).isEqualTo(200);

            replicas.get(0).startAgent();
            await("writes resume when a standby returns").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                    .until(() -> writer.acknowledgedCount() > blocked + 10);
            System.out.printf("MEASURE strict synchronous mode: writes blocked %.1f s while no standby ran%n",
                    (System.nanoTime() - lostAt) / 1e9);

            // Non-strict: the primary goes on alone when its standbys are gone.
            StringWriter out = new StringWriter();
            assertThat(Main.run(new PrintWriter(out, true), new PrintWriter(out, true), "edit-config", "-c",
                    cluster.nodes.get(0).configFile.toString(), "-s", "synchronous_mode_strict=false", "--force")).as(out.toString()).isZero();
            awaitSynchronousStandby();
            kill(replicas.get(0));
            long killedAt = System.nanoTime();
            int before = writer.acknowledgedCount();
            await("non-strict: writes resume alone").atMost(CONVERGE).pollInterval(Duration.ofMillis(100))
                    .until(() -> writer.acknowledgedCount() > before + 10);
            System.out.printf("MEASURE non-strict synchronous mode: writes resumed %.1f s after the only standby was killed%n",
                    (System.nanoTime() - killedAt) / 1e9);
            await("the leader says it runs without a synchronous standby").atMost(CONVERGE)
                    .until(() -> primary.json("/patroni").path("synchronous").path("state").asText().contains("asynchronously"));
        } finally {
            writer.close();
        }
        Set<Long> stored = storedIds(primary);
        assertThat(writer.acknowledgedIds().stream().filter(id -> !stored.contains(id)).toList()).isEmpty();
    }
}
