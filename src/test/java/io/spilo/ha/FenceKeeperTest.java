package io.spilo.ha;

import static io.spilo.ha.FakeClock.SECOND;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.spilo.dcs.DynamicConfig;
import io.spilo.fence.FenceState;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: when the fence is armed, how long it may wait, and when it is disarmed, against the
 * real loop on the harness (ttl 30, loop_wait 10, retry_timeout 10: a 20 s leadership window).
 */
class FenceKeeperTest {
    private static final int PORT1 = 15432;
    private static final long WINDOW = 20 * SECOND;
    private final LoopHarness harness = new LoopHarness();

    private LoopHarness.Node node(String name) {
        return harness.node(name);
    }

    private void runningCluster() {
        harness.store.setInitialize(FakePostgres.SYSTEM_ID);
        harness.add("node1", PORT1, new FakePostgres().runningPrimary(1000));
        harness.add("node2", PORT1 + 1, new FakePostgres().runningReplica("127.0.0.1", PORT1, 1000));
        harness.add("node3", PORT1 + 2, new FakePostgres().runningReplica("127.0.0.1", PORT1, 1000));
        harness.cycleAll();
        assertThat(harness.leader()).hasValue("node1");
    }

    @Test
    void theLeadersFenceIsFedWithTheRestOfTheWindowAfterEachRenewal() {
        runningCluster();
        assertThat(node("node1").fence.state()).isEqualTo(FenceState.ARMED);
        assertThat(node("node1").fence.deadlineNanos()).isEqualTo(harness.clock.getAsLong() + WINDOW);
        assertThat(node("node1").fence.postmasterPid()).isEqualTo(4242L);
        assertThat(node("node2").fence.state()).as("a replica has no fence").isEqualTo(FenceState.DISARMED);

        harness.runFor(10);
        assertThat(node("node1").fence.deadlineNanos()).isEqualTo(harness.clock.getAsLong() + WINDOW);
        assertThat(node("node1").status().fence()).isEqualTo(FenceState.ARMED);
    }

    @Test
    void aFrozenLeaderIsFencedBeforeItsLeaseCanExpireAndBeforeAnyReplicaPromotes() {
        runningCluster();
        long lastRenewal = harness.clock.getAsLong();
        node("node1").freeze();

        harness.runFor(20);
        assertThat(node("node1").fence.state()).isEqualTo(FenceState.FIRED);
        assertThat(node("node1").postgres.state().running()).isFalse();
        assertThat(harness.leader()).as("the lease (ttl 30) still holds").hasValue("node1");
        assertThat(harness.clock.getAsLong() - lastRenewal).isLessThan(30 * SECOND);

        harness.runFor(14);
        assertThat(harness.leader()).isPresent().isNotEqualTo(java.util.Optional.of("node1"));
    }

    @Test
    void aLeaderThatCannotRenewStopsFeedingAndItsDeadlineStaysWhereTheLastRenewalPutIt() {
        runningCluster();
        long deadline = node("node1").fence.deadlineNanos();
        node("node1").dcs.cutOff();

        harness.runFor(10);
        assertThat(node("node1").fence.deadlineNanos()).isEqualTo(deadline);
        assertThat(node("node1").fence.state()).isEqualTo(FenceState.ARMED);
        harness.runFor(10);
        // The loop demoted at the end of the window and disarmed the fence once PostgreSQL stopped.
        assertThat(node("node1").postgres.calls()).contains("stop");
        assertThat(node("node1").fence.state()).isEqualTo(FenceState.DISARMED);
    }

    @Test
    void theNewLeaderArmsItsFenceBeforeItPromotes() {
        runningCluster();
        node("node1").kill();
        harness.runFor(32);
        String newLeader = harness.leader().orElseThrow();
        node(newLeader).longActions.runAll();
        harness.runFor(2);

        List<String> calls = node(newLeader).postgres.calls();
        assertThat(calls).contains("promote");
        assertThat(calls.indexOf("fence hold")).as("fence armed before pg_ctl promote").isLessThan(calls.indexOf("promote"));
        assertThat(node(newLeader).fence.state()).isEqualTo(FenceState.ARMED);
    }

    @Test
    void aCrashedLeaderRestartedInPlaceIsFencedFromTheStart() {
        runningCluster();
        node("node1").postgres.crash();
        harness.runFor(2);

        List<String> calls = node("node1").postgres.calls();
        assertThat(calls).contains("start");
        assertThat(calls.subList(calls.indexOf("crash"), calls.indexOf("start"))).as("armed between the crash and the start")
                .contains("fence hold").doesNotContain("fence release");
        assertThat(node("node1").fence.state()).isEqualTo(FenceState.ARMED);
    }

    @Test
    void aDemotedOrPausedPrimaryHasNoFence() {
        runningCluster();
        harness.store.putConfig(new DynamicConfig(JsonNodeFactory.instance.objectNode().put("pause", true), 0));
        harness.runFor(2);
        assertThat(node("node1").fence.state()).isEqualTo(FenceState.DISARMED);
        assertThat(node("node1").postgres.state().isRunningPrimary()).isTrue();
    }

    @Test
    void aMemberWhoseRequiredFenceCannotBeArmedGivesTheKeyBackInsteadOfPromoting() {
        runningCluster();
        node("node2").fence.refuses = true;
        node("node3").fence.refuses = true;
        node("node1").kill();
        harness.runFor(40);

        assertThat(node("node2").postgres.count("promote") + node("node3").postgres.count("promote")).isZero();
        assertThat(node("node2").postgres.calls()).contains("fence refused");
        assertThat(node("node2").status().isConfirmedPrimary(harness.clock.getAsLong())).isFalse();
    }

    @Test
    void aLeaderWhoseCommitsStallIsKilledThenGivesTheKeyUpAndAReplicaTakesOver() {
        runningCluster();
        node("node1").diskFrozen = true;
        harness.runFor(18);
        assertThat(harness.leader()).as("within write_probe_timeout (ttl - loop_wait = 20 s)").hasValue("node1");
        assertThat(node("node1").status().writeStalledMillis()).isPresent();

        harness.runFor(4);
        List<String> calls = node("node1").postgres.calls();
        assertThat(calls).contains("kill immediately");
        assertThat(harness.leader()).isNotEqualTo(java.util.Optional.of("node1"));
        harness.runFor(4);
        String newLeader = harness.leader().orElseThrow();
        assertThat(newLeader).isIn("node2", "node3");
    }

    @Test
    void aLeaderWhoseCommitsCompleteKeepsLeadingAndPublishesTheLatency() {
        runningCluster();
        harness.runFor(60);
        assertThat(harness.leader()).hasValue("node1");
        assertThat(node("node1").postgres.count("kill immediately")).isZero();
        assertThat(node("node1").status().writeProbeLatencyMillis()).isPresent();
        assertThat(node("node1").status().writeStalledMillis()).isEmpty();
    }
}
