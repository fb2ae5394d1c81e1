package io.spilo.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.spilo.process.Signals;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two promotions that picked the same timeline number. A candidate promoted and killed before anyone
 * streamed its history (a switchover's candidate killed at the wrong moment) leaves timeline 2 on its
 * disk; the next promotion, elsewhere, picks 2 as well. pg_rewind compares timeline numbers and
 * answers "no rewind required", so the killed member came back as a replica that could never replay
 * the leader's WAL: the cluster did not heal. It must be cloned again, and it is.
 */
class DivergedTimelineIT {
    private static final Duration CONVERGE = Duration.ofSeconds(90);
    private TestCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static void execute(AgentNode node, String sql) throws SQLException {
        try (Connection connection = node.connect(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    @Test
    void aMemberThatRanAsPrimaryOnATimelineNumberTheLeaderAlsoUsesIsClonedAgainAndReplays() throws Exception {
        cluster = new TestCluster("diverged", 3, "", name -> "postgresql:\n  remove_data_directory_on_rewind_failure: true\n");
        AgentNode first = cluster.startWithNode1Leading(CONVERGE);
        AgentNode killedCandidate = cluster.nodes.get(1);
        AgentNode survivor = cluster.nodes.get(2);
        assertThat(first.tryInsert(1)).isTrue();
        await("both replicas replay row 1").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                .until(() -> killedCandidate.hasRow(1) && survivor.hasRow(1));

        // The candidate's agent dies and its PostgreSQL is promoted anyway: a timeline 2 nobody streams.
        killedCandidate.agent().signal("KILL");
        killedCandidate.agent().waitFor(Duration.ofSeconds(10));
        execute(killedCandidate, "SELECT pg_promote(true, 60)");
        assertThat(killedCandidate.tryInsert(2)).as("a write on the promoted candidate").isTrue();
        long candidatePostmaster = killedCandidate.postmasterPid().orElseThrow();
        Signals.send(candidatePostmaster, "KILL");
        await("the promoted candidate's PostgreSQL is gone").atMost(CONVERGE).until(() -> !Signals.isAlive(candidatePostmaster));

        // The leader dies too; the survivor is promoted from timeline 1: a second timeline 2.
        first.killAgentAndPostgres();
        await("the survivor leads").atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).until(() -> survivor.status("/primary") == 200);
        assertThat(survivor.timeline()).as("the survivor's new timeline has the candidate's number").isEqualTo(2);
        assertThat(survivor.tryInsert(3)).isTrue();

        killedCandidate.startAgent();
        await(killedCandidate + " replays the leader's timeline").atMost(CONVERGE).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions().until(() -> killedCandidate.hasRow(3) && killedCandidate.status("/replica") == 200);
        assertThat(killedCandidate.hasRow(2)).as("the row only its own timeline 2 had is gone").isFalse();

        first.startAgent();
        cluster.awaitHealthy(CONVERGE);
        assertThat(first.hasRow(3)).isTrue();
    }
}
