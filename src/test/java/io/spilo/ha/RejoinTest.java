package io.spilo.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.spilo.postgres.PostgresException;
import org.junit.jupiter.api.Test;

/** Issue 11 item 6: a former primary's pg_rewind failure is neither made sticky by a passing fault nor kept forever. */
class RejoinTest {
    private static final int PORT1 = 15432;
    private final LoopHarness harness = new LoopHarness();

    /** node1 was the primary and crashed; node2 leads now; node3 follows it. */
    private LoopHarness.Node formerPrimaryAfterAFailover() {
        harness.store.setInitialize(FakePostgres.SYSTEM_ID);
        harness.add("node1", PORT1, new FakePostgres().runningPrimary(1000));
        harness.add("node2", PORT1 + 1, new FakePostgres().runningReplica("127.0.0.1", PORT1, 1000));
        harness.add("node3", PORT1 + 2, new FakePostgres().runningReplica("127.0.0.1", PORT1, 900));
        harness.cycleAll();
        LoopHarness.Node node1 = harness.node("node1");
        node1.dcs.cutOff();
        node1.postgres.crash();
        harness.runFor(32);
        harness.node("node2").longActions.runAll();
        harness.runFor(2);
        assertThat(harness.leader()).hasValue("node2");
        node1.dcs.reconnect();
        return node1;
    }

    @Test
    void aSourceThatDoesNotAnswerIsTriedAgainNotHeldAgainstTheRewind() {
        LoopHarness.Node node1 = formerPrimaryAfterAFailover();
        node1.postgres.failNextRewind(PostgresException.unreachable("cannot run CHECKPOINT on 127.0.0.1:15433: connection refused",
                null));

        node1.cycle();
        node1.longActions.runAll();
        harness.clock.advanceSeconds(2);
        node1.cycle();
        assertThat(node1.status().lastDecision()).startsWith("rewinding to leader node2");
        node1.longActions.runAll();
        harness.runFor(2);

        assertThat(node1.postgres.count("rewind")).isEqualTo(2);
        assertThat(node1.status().postgres().isRunningReplica()).isTrue();
    }

    @Test
    void aFailedRewindIsTriedAgainWhenAnotherMemberLeads() {
        LoopHarness.Node node1 = formerPrimaryAfterAFailover();
        node1.postgres.failNextRewind(new PostgresException("pg_rewind from 127.0.0.1:15433 failed (exit 1): could not find previous WAL record"));
        node1.cycle();
        node1.longActions.runAll();
        harness.runFor(4);
        assertThat(node1.status().lastDecision()).startsWith("pg_rewind failed");

        // node2 goes away; node3 takes over: a new leader is a new chance. Meanwhile node1 stays down.
        harness.node("node2").kill();
        harness.runFor(32);
        assertThat(node1.postgres.count("start")).as("a diverged former primary is not started without a rewind").isZero();
        harness.node("node3").longActions.runAll();
        harness.runFor(4);
        assertThat(harness.leader()).hasValue("node3");
        node1.longActions.runAll();
        harness.runFor(2);

        assertThat(node1.postgres.count("rewind")).isEqualTo(2);
        assertThat(node1.status().postgres().isRunningReplica()).isTrue();
    }
}
