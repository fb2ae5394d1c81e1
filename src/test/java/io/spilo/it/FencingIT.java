package io.spilo.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 13: a primary whose agent is frozen (SIGSTOP) or killed (kill -9, PostgreSQL untouched)
 * is fenced by the process outside the agent: with writers connected directly to every member's
 * PostgreSQL, the old primary acknowledges nothing after the new primary's first acknowledged
 * write, and refuses connections before its lease (ttl 10 s) can expire. Both replication modes.
 */
class FencingIT {
    private static final Duration CONVERGE = Duration.ofSeconds(90);
    private static final double TTL_SECONDS = 10;
    private TestCluster cluster;
    private DirectWriters writers;

    @AfterEach
    void tearDown() throws InterruptedException {
        if (writers != null) {
            writers.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private AgentNode startHealthy(boolean synchronous) {
        cluster = new TestCluster("fencing", 3, synchronous ? "    synchronous_mode: true\n" : "", name -> "");
        AgentNode old = cluster.startWithNode1Leading(CONVERGE);
        writers = new DirectWriters(cluster);
        writers.awaitWriting(old, synchronous, CONVERGE);
        return old;
    }

    private Writer writerOf(AgentNode node) {
        return writers.of(node);
    }


    /** Seconds from {@code sinceNanos} until the member's PostgreSQL refuses connections. */
    private static double awaitFenced(AgentNode node, long sinceNanos) {
        await("the old primary's PostgreSQL refuses connections").atMost(CONVERGE).pollInterval(Duration.ofMillis(50))
                .until(() -> !node.acceptsConnections());
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    private AgentNode awaitNewPrimaryAcknowledging(AgentNode old, long sinceNanos) {
        return writers.awaitNewPrimaryAcknowledgingSince(old, sinceNanos, CONVERGE);
    }

    private void assertNoWriteOnTheOldPrimaryAfterTheNewOnesFirst(AgentNode old, AgentNode promoted, long sinceNanos) {
        long newFirst = writerOf(promoted).firstAcknowledgedAfter(sinceNanos).orElseThrow();
        OptionalLong oldLast = writerOf(old).lastAcknowledgedAt();
        assertThat(oldLast).isPresent();
        assertThat(oldLast.getAsLong()).as("last write acknowledged by the old primary, before the new primary's first")
                .isLessThan(newFirst);
        System.out.printf("MEASURE fencing: old primary's last acknowledged write %.2f s before the new primary's first%n",
                (newFirst - oldLast.getAsLong()) / 1e9);
    }

    @ParameterizedTest(name = "synchronous_mode {0}")
    @ValueSource(booleans = {false, true})
    void aFrozenPrimaryAgentIsFencedAndItsPostgresTakesNoWriteAfterTheNewPrimarysFirst(boolean synchronous) throws Exception {
        AgentNode old = startHealthy(synchronous);
        long stoppedAt = System.nanoTime();
        old.agent().signal("STOP");
        try {
            double fencedAfter = awaitFenced(old, stoppedAt);
            System.out.printf("MEASURE fencing (sync %s): agent SIGSTOPped -> its PostgreSQL refuses connections after %.2f s%n",
                    synchronous, fencedAfter);
            assertThat(fencedAfter).as("fenced before the lease can expire").isLessThan(TTL_SECONDS);
            AgentNode promoted = awaitNewPrimaryAcknowledging(old, stoppedAt);
            // Frozen for three ttls: nothing on the old member may come back meanwhile.
            long frozenUntil = stoppedAt + Duration.ofSeconds(30).toNanos();
            await().atMost(Duration.ofSeconds(40)).until(() -> System.nanoTime() >= frozenUntil);
            assertThat(old.acceptsConnections()).isFalse();
            assertNoWriteOnTheOldPrimaryAfterTheNewOnesFirst(old, promoted, stoppedAt);
        } finally {
            old.agent().signal("CONT");
        }
        await("the old primary rejoins as a replica").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                .until(() -> cluster.primaries().size() == 1 && cluster.streamingReplicas().contains(old));
    }

    @ParameterizedTest(name = "synchronous_mode {0}")
    @ValueSource(booleans = {false, true})
    void aKilledPrimaryAgentIsFencedThoughItsPostgresWasNotTouched(boolean synchronous) throws Exception {
        AgentNode old = startHealthy(synchronous);
        long killedAt = System.nanoTime();
        old.agent().signal("KILL");
        old.agent().waitFor(Duration.ofSeconds(10));

        double fencedAfter = awaitFenced(old, killedAt);
        System.out.printf("MEASURE fencing (sync %s): agent killed -> its PostgreSQL refuses connections after %.2f s%n",
                synchronous, fencedAfter);
        assertThat(fencedAfter).as("fenced before the lease can expire").isLessThan(TTL_SECONDS);
        AgentNode promoted = awaitNewPrimaryAcknowledging(old, killedAt);
        assertNoWriteOnTheOldPrimaryAfterTheNewOnesFirst(old, promoted, killedAt);

        old.startAgent();
        await("the old primary rejoins as a replica").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                .until(() -> cluster.primaries().size() == 1 && cluster.streamingReplicas().contains(old));
    }
}
