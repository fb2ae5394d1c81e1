package io.spilo.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 13, failsafe mode with real etcd, PostgreSQL and HAProxy (ttl 10, loop_wait 2,
 * retry_timeout 3): etcd stopped for 60 s is no write outage while every member vouches for the
 * leader, and the same leader takes its key back; when a member cannot vouch, the leader demotes
 * within its leadership window as without failsafe mode. Both replication modes.
 */
class FailsafeIT {
    private static final Duration CONVERGE = Duration.ofSeconds(90);
    private TestCluster cluster;
    private Writer writer;

    @AfterEach
    void tearDown() throws InterruptedException {
        if (writer != null) {
            writer.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private AgentNode startHealthy(boolean synchronous) {
        cluster = new TestCluster("failsafe", 3, "    failsafe_mode: true\n" + (synchronous ? "    synchronous_mode: true\n" : ""),
                name -> "");
        AgentNode leader = cluster.startWithNode1Leading(CONVERGE);
        if (synchronous) {
            await("a synchronous standby").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                    .until(() -> cluster.nodes.stream().anyMatch(node -> node.status("/sync") == 200));
        }
        return leader;
    }

    @ParameterizedTest(name = "synchronous_mode {0}")
    @ValueSource(booleans = {false, true})
    void anEtcdOutageIsNoWriteOutageAndTheSameLeaderTakesItsKeyBack(boolean synchronous) throws Exception {
        AgentNode leader = startHealthy(synchronous);
        TestCluster.Proxy proxy = cluster.startHaproxy(CONVERGE);
        writer = new Writer(proxy.primaryPort());
        await("writes through HAProxy").atMost(CONVERGE).until(() -> writer.acknowledgedCount() > 20);

        long stoppedAt = System.nanoTime();
        cluster.etcd.stop();
        try {
            long until = stoppedAt + Duration.ofSeconds(60).toNanos();
            await().atMost(Duration.ofSeconds(70)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                assertThat(leader.status("/primary")).as("the leader answers /primary during the outage").isEqualTo(200);
                return System.nanoTime() >= until;
            });
            assertThat(leader.json("/patroni").path("failsafe_mode_is_active").asBoolean()).isTrue();
            // The operator's view during the outage: etcd cannot be read, so the list is the leader's last view plus each member's status.
            java.io.StringWriter out = new java.io.StringWriter();
            java.io.StringWriter err = new java.io.StringWriter();
            int exit = io.spilo.cli.Main.run(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), "list", "-c",
                    leader.configFile.toString());
            System.out.println("SAMPLE spilo list during an etcd outage:\n" + out + err);
            assertThat(exit).as("spilo list exit code; stderr: %s", err).isZero();
            assertThat(out.toString()).contains("Failsafe mode: active on " + leader.name)
                    .containsPattern("\\| " + leader.name + " .*\\| Leader .*\\| armed ");
            assertThat(err.toString()).contains("cannot reach etcd").contains("last read from etcd");
        } finally {
            cluster.etcd.start();
        }
        double longestGap = writer.longestGapMillisSince(stoppedAt);
        System.out.printf("MEASURE failsafe (sync %s): etcd stopped 60 s, longest gap between writes through HAProxy %.0f ms%n",
                synchronous, longestGap);
        assertThat(longestGap).as("longest gap between acknowledged writes, ms").isLessThanOrEqualTo(1000);

        // Failsafe ends in the first cycle that reads etcd again; /cluster then shows etcd's view, not the one kept during the outage.
        await("failsafe over").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    com.fasterxml.jackson.databind.JsonNode status = leader.json("/patroni");
                    return status.has("state") && !status.path("failsafe_mode_is_active").asBoolean(false);
                });
        await("the same leader holds the key again").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                .until(() -> leader.name.equals(leaderName(leader)) && cluster.streamingReplicas().size() == 2);
        assertThat(leader.timeline()).as("no failover: no new timeline; %s", cluster.diagnosis()).isEqualTo(1);
    }

    /** The member /cluster names as leader (from etcd), or "" when none. */
    private static String leaderName(AgentNode asked) {
        for (com.fasterxml.jackson.databind.JsonNode member : asked.json("/cluster").path("members")) {
            if (member.path("role").asText().equals("leader")) {
                return member.path("name").asText();
            }
        }
        return "";
    }


    @ParameterizedTest(name = "synchronous_mode {0}")
    @ValueSource(booleans = {false, true})
    void whenAMemberCannotVouchTheLeaderDemotesWithinItsWindow(boolean synchronous) throws Exception {
        AgentNode leader = startHealthy(synchronous);
        AgentNode silent = cluster.nodes.get(2);
        long stoppedAt = System.nanoTime();
        silent.agent().signal("STOP");
        try {
            cluster.etcd.stop();
            await("the leader demotes").atMost(CONVERGE).pollInterval(Duration.ofMillis(100))
                    .until(() -> leader.status("/primary") != 200 && !leader.acceptsConnections());
            double seconds = (System.nanoTime() - stoppedAt) / 1e9;
            System.out.printf("MEASURE failsafe (sync %s): etcd stopped and one member silent -> leader demoted after %.1f s%n",
                    synchronous, seconds);
            assertThat(seconds).as("within the leadership window (5 s) plus one retry, before the lease (10 s)").isLessThan(10.0);
        } finally {
            silent.agent().signal("CONT");
            cluster.etcd.start();
        }
        await("one primary and two streaming replicas again").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                .until(() -> cluster.primaries().size() == 1 && cluster.streamingReplicas().size() == 2);
    }
}
