package io.spilo.ha;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.spilo.dcs.DynamicConfig;
import io.spilo.dcs.SyncState;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 4 (DESIGN §4 invariant 2): whichever path leads to a promotion, the new leader
 * first names itself and no standby in the sync key, and in strict mode PostgreSQL runs with
 * {@code synchronous_standby_names = '*'} from its first commit on the new timeline.
 */
class SynchronousPromotionTest {
    private static final int PORT1 = 15432;
    private final LoopHarness harness = new LoopHarness();

    private void synchronousCluster(boolean strict) {
        harness.store.setInitialize(FakePostgres.SYSTEM_ID);
        harness.store.putConfig(new DynamicConfig(JsonNodeFactory.instance.objectNode().put("ttl", 30).put("loop_wait", 10)
                .put("retry_timeout", 10).put("synchronous_mode", true).put("synchronous_mode_strict", strict), 0));
        harness.add("node1", PORT1, new FakePostgres().runningPrimary(1000));
        harness.add("node2", PORT1 + 1, new FakePostgres().runningReplica("127.0.0.1", PORT1, 1000));
        harness.add("node3", PORT1 + 2, new FakePostgres().runningReplica("127.0.0.1", PORT1, 1000));
        harness.cycleAll();
        assertThat(harness.leader()).hasValue("node1");
        // The old leader's last word: both replicas were synchronous standbys.
        long revision = harness.store.sync().map(SyncState::modRevision).orElse(0L);
        assertThat(harness.store.writeSync(new SyncState(Optional.of("node1"), List.of("node2", "node3"), 0), revision)).isTrue();
        harness.node("node1").kill();
    }

    @Test
    void aKeyHolderStillInRecoveryTakesTheSyncKeyOverBeforeItPromotes() {
        synchronousCluster(false);
        LoopHarness.Node node2 = harness.node("node2");
        node2.dcs.loseNextAcquireAnswer = true;

        harness.runFor(34);

        assertThat(harness.leader()).hasValue("node2");
        assertThat(node2.longActions.pending()).as("the promotion has not run yet").isEqualTo(1);
        assertThat(harness.store.sync()).hasValueSatisfying(sync -> {
            assertThat(sync.leader()).hasValue("node2");
            assertThat(sync.synchronousStandbys()).isEmpty();
        });
        node2.longActions.runAll();
        harness.runFor(2);
        assertThat(node2.status().isConfirmedPrimary(harness.clock.getAsLong())).isTrue();
        assertThat(harness.node("node3").postgres.count("promote")).isZero();
    }

    @Test
    void inStrictModeTheNewPrimaryRunsWithAStarFromItsFirstCommit() {
        synchronousCluster(true);

        harness.runFor(32);
        LoopHarness.Node winner = harness.node(harness.leader().orElseThrow());
        winner.longActions.runAll();

        assertThat(winner.postgres.synchronousStandbyNamesAtPromotion()).hasValue("*");
    }
}
