package io.spilo.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.spilo.dcs.MemberData;
import io.spilo.dcs.Switchover;
import io.spilo.postgres.PostgresException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The real {@link HaLoop} of several members, driven cycle by cycle against fakes (DESIGN §9: the
 * loop never blocks its heartbeat). Timing is Patroni's default: ttl 30, loop_wait 10,
 * retry_timeout 10, so leadership is valid for 20 s after a renewal and a lease lives 30 s.
 */
class HaLoopTest {
    private static final int PORT1 = 15432;
    private static final int PORT2 = 15433;
    private static final int PORT3 = 15434;

    private final LoopHarness harness = new LoopHarness();

    /** node1 leads a running primary; node2 and node3 stream from it, all at {@code wal}. */
    private void runningCluster(long wal2, long wal3, String extraYaml) {
        harness.store.setInitialize(FakePostgres.SYSTEM_ID);
        harness.add("node1", PORT1, new FakePostgres().runningPrimary(Math.max(wal2, wal3)), extraYaml);
        harness.add("node2", PORT2, new FakePostgres().runningReplica("127.0.0.1", PORT1, wal2), extraYaml);
        harness.add("node3", PORT3, new FakePostgres().runningReplica("127.0.0.1", PORT1, wal3), extraYaml);
        harness.cycleAll();
        assertThat(harness.leader()).hasValue("node1");
        assertThat(harness.node("node1").status().isConfirmedPrimary(harness.clock.getAsLong())).isTrue();
    }

    private LoopHarness.Node node(String name) {
        return harness.node(name);
    }

    private Optional<String> publishedState(String name) {
        return harness.store.member(name).map(MemberData::state);
    }

    @Test
    void everyKindOfDecisionHasAnExecutor() {
        harness.add("node1", PORT1, new FakePostgres());

        Set<Class<? extends Decision>> handled = node("node1").loop.handledDecisions();

        assertThat(handled).containsExactlyInAnyOrderElementsOf(Arrays.stream(Decision.class.getPermittedSubclasses())
                .map(kind -> kind.asSubclass(Decision.class)).toList());
    }

    @Test
    void aPromotionThatTakesLongerThanTheTtlKeepsTheKeyAndNobodyElsePromotes() {
        runningCluster(1000, 1000, "");
        node("node1").kill();

        harness.runFor(32);
        assertThat(harness.leader()).hasValue("node2");
        assertThat(node("node2").longActions.pending()).isEqualTo(1);

        // Replay is 60 s behind: promotion "blocks" for two ttls while both loops keep cycling.
        harness.runFor(60);
        assertThat(harness.leader()).hasValue("node2");
        assertThat(node("node2").status().state()).isEqualTo("promoting");
        assertThat(publishedState("node2")).hasValue("promoting");
        assertThat(node("node3").postgres.count("promote")).isZero();

        node("node2").longActions.runAll();
        harness.runFor(4);
        assertThat(node("node2").postgres.count("promote")).isEqualTo(1);
        assertThat(node("node2").status().isConfirmedPrimary(harness.clock.getAsLong())).isTrue();
        assertThat(node("node3").status().postgres().upstream()).hasValue("127.0.0.1:" + PORT2);
        assertThat(harness.store.leaderAcquisitions()).isEqualTo(2);
        assertThat(harness.store.history()).hasSize(1);
    }

    @Test
    void aLeaderWhoseWindowLapsesDuringAPromotionStopsPostgresAndOnlyOneMemberEverPromotes() {
        runningCluster(1000, 1000, "");
        node("node1").kill();
        harness.runFor(32);
        assertThat(harness.leader()).hasValue("node2");

        node("node2").dcs.cutOff();
        harness.runFor(22);
        assertThat(node("node2").status().lastDecision()).startsWith("demoting");
        assertThat(node("node2").status().isConfirmedPrimary(harness.clock.getAsLong())).isFalse();

        // node2 stopped PostgreSQL before its lease ran out; only then may node3 take over.
        assertThat(node("node2").postgres.calls()).contains("stop");
        assertThat(harness.leader()).hasValue("node2");
        harness.runFor(20);
        assertThat(harness.leader()).hasValue("node3");

        // The stuck promotion ends and fails: PostgreSQL was stopped under it.
        node("node2").longActions.runAll();
        node("node3").longActions.runAll();
        harness.runFor(4);
        assertThat(node("node2").postgres.count("promote")).isZero();
        assertThat(node("node3").postgres.count("promote")).isEqualTo(1);
        assertThat(node("node3").status().isConfirmedPrimary(harness.clock.getAsLong())).isTrue();
    }

    @Test
    void aPrimaryRestartedByAnOperatorIsStoppedWhenItsLeadershipLapsesMidRestart() {
        runningCluster(1000, 1000, "");
        node("node1").loop.submit(new AgentAction.Restart(false, Optional.empty(), Optional.empty(), Optional.empty()));
        node("node1").cycle();
        assertThat(node("node1").status().state()).isEqualTo("restarting");

        node("node1").dcs.cutOff();
        harness.clock.advanceSeconds(21);
        node("node1").cycle();

        assertThat(node("node1").status().lastDecision()).startsWith("demoting");
        assertThat(node("node1").postgres.calls()).contains("stop");
    }

    @Test
    void theReplicaWithTheMostWalWinsEvenWhenAnotherCyclesFirst() {
        runningCluster(1000, 1200, "");
        node("node1").kill();

        harness.runFor(34);
        node("node3").longActions.runAll();
        harness.runFor(4);

        assertThat(harness.leader()).hasValue("node3");
        assertThat(node("node2").postgres.count("promote")).isZero();
        assertThat(node("node2").status().postgres().upstream()).hasValue("127.0.0.1:" + PORT3);
    }

    @Test
    void twoKeylessPrimariesDoNotWaitForEachOtherForever() {
        harness.store.setInitialize(FakePostgres.SYSTEM_ID);
        harness.add("node1", PORT1, new FakePostgres().runningPrimary(1000));
        harness.add("node2", PORT2, new FakePostgres().runningPrimary(1000));

        harness.runFor(4);

        assertThat(harness.leader()).hasValue("node1");
        assertThat(node("node2").postgres.calls()).contains("stop");
        harness.runFor(4);
        node("node2").longActions.runAll();
        harness.runFor(4);
        assertThat(node("node2").status().postgres().isRunningReplica()).isTrue();
    }

    @Test
    void aFailedInitdbReleasesInitializeSoAnotherMemberBootstraps() {
        harness.add("node1", PORT1, new FakePostgres());
        harness.add("node2", PORT2, new FakePostgres());
        node("node1").postgres.failNextInitdb(new PostgresException("initdb timed out after 300 s"));

        harness.cycleAll();
        assertThat(harness.store.initialize()).hasValue("");
        assertThat(node("node1").status().state()).isEqualTo("initializing new cluster");
        node("node1").longActions.runAll();
        harness.runFor(2);
        assertThat(node("node1").postgres.calls()).contains("remove data directory");

        harness.runFor(2);
        node("node2").longActions.runAll();
        harness.runFor(4);
        assertThat(harness.leader()).hasValue("node2");
        assertThat(harness.store.initialize()).hasValue(FakePostgres.SYSTEM_ID);

        node("node1").longActions.runAll();
        harness.runFor(4);
        assertThat(node("node1").status().postgres().isRunningReplica()).isTrue();
    }

    @Test
    void aClusterMadeFromABackupRestoresReplaysToItsTargetAndOnlyThenTakesTheLeaderKey() {
        String fromBackup = LoopHarness.PATRONI_DEFAULT_TIMING + """
                  method: pgbackrest
                  pgbackrest:
                    command: /usr/local/bin/restore-latest
                    keep_existing_recovery_conf: true
                    no_params: true
                """;
        harness.add("node1", PORT1, new FakePostgres(), fromBackup);
        harness.cycleAll();
        assertThat(node("node1").status().state()).isEqualTo("initializing new cluster");
        assertThat(harness.leader()).isEmpty();

        node("node1").longActions.runAll();
        harness.runFor(2);

        assertThat(node("node1").postgres.calls()).doesNotContain("initdb")
                .containsSubsequence("restore", "start", "finish recovery", "reload");
        assertThat(harness.leader()).hasValue("node1");
        assertThat(harness.store.initialize()).hasValue(FakePostgres.SYSTEM_ID);
    }

    @Test
    void aBootstrapSlowerThanTheTtlStillFinishes() {
        harness.add("node1", PORT1, new FakePostgres());
        harness.cycleAll();

        harness.runFor(90);
        assertThat(publishedState("node1")).hasValue("initializing new cluster");
        assertThat(harness.store.initialize()).hasValue("");

        node("node1").longActions.runAll();
        harness.runFor(2);
        assertThat(harness.leader()).hasValue("node1");
        assertThat(harness.store.initialize()).hasValue(FakePostgres.SYSTEM_ID);
        assertThat(node("node1").status().isConfirmedPrimary(harness.clock.getAsLong())).isTrue();
    }

    @Test
    void aSwitchoverHandsTheKeyToTheCandidateAndTheOldPrimaryRejoins() {
        runningCluster(1000, 1000, "");
        node("node1").postgres.peerHasReceived("127.0.0.1", PORT2, 1000);
        node("node1").dcs.requestSwitchover(new Switchover(Optional.of("node1"), Optional.of("node2"), Optional.empty()));

        node("node1").cycle();
        assertThat(node("node1").status().state()).isEqualTo("stopping");
        node("node1").longActions.runAll();
        node("node1").cycle();
        assertThat(harness.leader()).isEmpty();

        node("node2").cycle();
        assertThat(node("node2").status().state()).isEqualTo("promoting");
        harness.runFor(2);
        assertThat(node("node1").status().lastDecision()).as("no rewind from a server still in recovery")
                .startsWith("waiting for leader node2 to run as a primary");
        node("node2").longActions.runAll();
        harness.runFor(4);
        node("node1").longActions.runAll();
        harness.runFor(2);

        assertThat(harness.leader()).hasValue("node2");
        assertThat(node("node2").status().isConfirmedPrimary(harness.clock.getAsLong())).isTrue();
        assertThat(node("node1").postgres.count("rewind")).isEqualTo(1);
        assertThat(node("node1").status().postgres().isRunningReplica()).isTrue();
        assertThat(node("node3").postgres.count("promote")).isZero();
    }

    @Test
    void aSwitchoverToACandidateThatDoesNotCatchUpLeavesTheOldPrimaryLeading() {
        runningCluster(1000, 1000, "");
        node("node1").postgres.peerHasReceived("127.0.0.1", PORT2, 999);
        node("node1").dcs.requestSwitchover(new Switchover(Optional.of("node1"), Optional.of("node2"), Optional.empty()));

        node("node1").cycle();
        node("node1").longActions.runAll();
        harness.runFor(2);

        assertThat(harness.leader()).hasValue("node1");
        assertThat(node("node1").status().isConfirmedPrimary(harness.clock.getAsLong())).isTrue();
        assertThat(node("node1").postgres.count("start")).as("started again once, not twice").isEqualTo(1);
        assertThat(node("node2").postgres.count("promote")).isZero();
    }

    @Test
    void inSynchronousModeNoReplicaOutsideTheSyncKeyIsPromoted() {
        runningCluster(1000, 1000, "");
        node("node1").dcs.replaceConfig(io.spilo.dcs.DynamicConfig.empty().json()
                .put("ttl", 30).put("loop_wait", 10).put("retry_timeout", 10).put("synchronous_mode", true), 0);
        harness.runFor(4);
        assertThat(harness.store.sync()).hasValueSatisfying(sync -> assertThat(sync.synchronousStandbys()).isEmpty());

        node("node1").kill();
        harness.runFor(90);

        assertThat(harness.leader()).isEmpty();
        assertThat(node("node2").postgres.count("promote") + node("node3").postgres.count("promote")).isZero();
    }

    @Test
    void anErrorOnTheLoopThreadEndsTheProcessInsteadOfLeavingAZombie() throws InterruptedException {
        LoopHarness.Node node = harness.add("node1", PORT1, new FakePostgres());
        node.loop.start();
        try {
            node.postgres.throwOnNextState(new OutOfMemoryError("test: heap exhausted"));
            node.loop.wakeUp();
            await().atMost(Duration.ofSeconds(10)).until(() -> !node.fatalErrors.isEmpty());
            assertThat(node.fatalErrors.get(0)).isInstanceOf(OutOfMemoryError.class);
        } finally {
            node.loop.stop(Duration.ofSeconds(5));
        }
    }
}
