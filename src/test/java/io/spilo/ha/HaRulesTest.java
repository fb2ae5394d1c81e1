package io.spilo.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.spilo.config.TimingSettings;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.DynamicConfig;
import io.spilo.dcs.Leader;
import io.spilo.dcs.Member;
import io.spilo.postgres.LocalState;
import io.spilo.postgres.RunState;
import io.spilo.postgres.Upstream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** One scenario per test: the cluster as read, the local PostgreSQL, and the one expected decision. */
class HaRulesTest {
    private static final long SECOND = 1_000_000_000L;
    private static final String SYSTEM_ID = "7712692741996752489";
    private static final HaSettings SETTINGS = new HaSettings("node1", new TimingSettings(30, 10, 10), 1_048_576, false, 1, false);
    private static final long NOW = 1_000 * SECOND;

    private static Member member(String name, int port, String role, long wal) {
        return new Member(name, "postgres://127.0.0.1:" + port + "/postgres", "http://127.0.0.1:" + (port + 1000) + "/patroni",
                "running", role, wal, 1, Map.of());
    }

    private static ClusterView cluster(Optional<String> initialize, Optional<String> leader, long optime, Member... members) {
        return new ClusterView(initialize, leader.map(name -> new Leader(name, 7, 42)), List.of(members),
                DynamicConfig.empty(), true, optime, List.of(), 100);
    }

    private static ClusterView ledBy(String leader, Member... members) {
        return cluster(Optional.of(SYSTEM_ID), Optional.of(leader), 100, members);
    }

    private static LocalState running(boolean inRecovery, long wal, Optional<String> upstream) {
        return new LocalState(true, RunState.RUNNING, Optional.of(4242L), Optional.of(SYSTEM_ID), inRecovery, 1, wal, wal,
                Optional.empty(), upstream, inRecovery, 150018, Optional.of("2026-11-27 00:00:00.000000+00:00"), List.of());
    }

    private static LocalState stoppedWithData() {
        return LocalState.stopped(true, Optional.of(SYSTEM_ID));
    }

    private static Decision decide(ClusterView view, LocalState local) {
        return HaRules.decide(Optional.of(view), local, SETTINGS, OptionalLong.empty(), NOW);
    }

    @Test
    void aNewClusterWithAnEmptyDataDirectoryBootstraps() {
        ClusterView fresh = cluster(Optional.empty(), Optional.empty(), 0);

        assertThat(decide(fresh, LocalState.empty())).isEqualTo(new Decision.Bootstrap());
    }

    @Test
    void aNewClusterWithExistingDataIsClaimedWithItsSystemIdentifier() {
        ClusterView fresh = cluster(Optional.empty(), Optional.empty(), 0);

        assertThat(decide(fresh, running(false, 100, Optional.empty()))).isEqualTo(new Decision.ClaimCluster(SYSTEM_ID));
    }

    @Test
    void whileAnotherMemberBootstrapsTheOthersWait() {
        ClusterView bootstrapping = cluster(Optional.of(""), Optional.empty(), 0);

        assertThat(decide(bootstrapping, LocalState.empty())).isInstanceOf(Decision.Wait.class);
    }

    @Test
    void anEmptyMemberClonesFromTheLeaderThroughItsOwnSlot() {
        ClusterView view = ledBy("node2", member("node2", 5433, "primary", 100));

        assertThat(decide(view, LocalState.empty()))
                .isEqualTo(new Decision.CloneFromLeader("node2", new Upstream("127.0.0.1", 5433, "node1")));
    }

    @Test
    void anEmptyMemberWaitsWhileTheLeaderHasNotPublishedItsAddress() {
        ClusterView view = ledBy("node2");

        assertThat(decide(view, LocalState.empty())).isInstanceOf(Decision.Wait.class);
    }

    @Test
    void anEmptyMemberWithNoLeaderWaits() {
        ClusterView view = cluster(Optional.of(SYSTEM_ID), Optional.empty(), 100);

        assertThat(decide(view, LocalState.empty())).isInstanceOf(Decision.Wait.class);
    }

    @Test
    void aStoppedMemberStartsAsAReplicaOfTheLeader() {
        ClusterView view = ledBy("node2", member("node2", 5433, "primary", 100));

        assertThat(decide(view, stoppedWithData()))
                .isEqualTo(new Decision.StartAsReplica(Optional.of(new Upstream("127.0.0.1", 5433, "node1"))));
    }

    @Test
    void aReplicaFollowingTheLeaderDoesNothing() {
        ClusterView view = ledBy("node2", member("node2", 5433, "primary", 100));

        assertThat(decide(view, running(true, 100, Optional.of("127.0.0.1:5433")))).isInstanceOf(Decision.Wait.class);
    }

    @Test
    void aReplicaFollowingSomebodyElseIsPointedAtTheLeader() {
        ClusterView view = ledBy("node2", member("node2", 5433, "primary", 100));

        assertThat(decide(view, running(true, 100, Optional.of("127.0.0.1:5434"))))
                .isEqualTo(new Decision.FollowLeader("node2", new Upstream("127.0.0.1", 5433, "node1")));
    }

    @Test
    void aPrimaryThatDoesNotHoldTheKeyDemotesToFollowTheLeader() {
        ClusterView view = ledBy("node2", member("node2", 5433, "primary", 100));

        assertThat(decide(view, running(false, 100, Optional.empty())))
                .isEqualTo(new Decision.Demote(Optional.of(new Upstream("127.0.0.1", 5433, "node1")), "node2 holds the leader key"));
    }

    @Test
    void theKeyHolderRunningAPrimaryHoldsLeadership() {
        ClusterView view = ledBy("node1");

        assertThat(decide(view, running(false, 100, Optional.empty()))).isEqualTo(new Decision.HoldLeadership(new Leader("node1", 7, 42)));
    }

    @Test
    void theKeyHolderRunningAStandbyPromotes() {
        ClusterView view = ledBy("node1");

        assertThat(decide(view, running(true, 100, Optional.empty()))).isInstanceOf(Decision.PromoteHeldLeadership.class);
    }

    @Test
    void theKeyHolderWithPostgresStoppedStartsItAsPrimary() {
        ClusterView view = ledBy("node1");

        assertThat(decide(view, stoppedWithData())).isInstanceOf(Decision.StartAsLeader.class);
    }

    @Test
    void withNoLeaderAHealthyReplicaRacesForTheKey() {
        ClusterView view = cluster(Optional.of(SYSTEM_ID), Optional.empty(), 100);

        assertThat(decide(view, running(true, 100, Optional.of("127.0.0.1:5433")))).isEqualTo(new Decision.AcquireLeadership());
    }

    @Test
    void withNoLeaderAStoppedMemberStartsAsAReplicaOfNobodyFirst() {
        ClusterView view = cluster(Optional.of(SYSTEM_ID), Optional.empty(), 100);

        assertThat(decide(view, stoppedWithData())).isEqualTo(new Decision.StartAsReplica(Optional.empty()));
    }

    @Test
    void aNofailoverMemberNeverRaces() {
        ClusterView view = cluster(Optional.of(SYSTEM_ID), Optional.empty(), 100);
        HaSettings noFailover = new HaSettings("node1", SETTINGS.timing(), 1_048_576, true, 1, false);

        Decision decision = HaRules.decide(Optional.of(view), running(true, 100, Optional.empty()), noFailover, OptionalLong.empty(), NOW);

        assertThat(decision).isInstanceOf(Decision.Wait.class);
        assertThat(decision.description()).contains("nofailover");
    }

    @Test
    void aReplicaTooFarBehindTheLastLeaderPositionDoesNotRace() {
        ClusterView view = cluster(Optional.of(SYSTEM_ID), Optional.empty(), 10_000_000);

        assertThat(decide(view, running(true, 10_000_000 - 1_048_577, Optional.empty()))).isInstanceOf(Decision.Wait.class);
        assertThat(decide(view, running(true, 10_000_000 - 1_048_576, Optional.empty()))).isEqualTo(new Decision.AcquireLeadership());
    }

    @Test
    void aPausedClusterNeverPromotesAutomatically() {
        ClusterView view = cluster(Optional.of(SYSTEM_ID), Optional.empty(), 100);
        HaSettings paused = new HaSettings("node1", SETTINGS.timing(), 1_048_576, false, 1, true);

        assertThat(HaRules.decide(Optional.of(view), running(true, 100, Optional.empty()), paused, OptionalLong.empty(), NOW))
                .isInstanceOf(Decision.Wait.class);
    }

    @Test
    void dataOfAnotherClusterIsNeverUsed() {
        ClusterView view = cluster(Optional.of("1111"), Optional.of("node2"), 100, member("node2", 5433, "primary", 100));

        Decision decision = decide(view, stoppedWithData());

        assertThat(decision).isInstanceOf(Decision.Wait.class);
        assertThat(decision.description()).contains("belongs to another cluster");
    }

    @Test
    void withoutTheStoreAPrimaryKeepsWritingOnlyWhileItsLeadershipIsValid() {
        LocalState primary = running(false, 100, Optional.empty());
        long validity = SETTINGS.leadershipValidityNanos();
        OptionalLong confirmed = OptionalLong.of(NOW - validity + 1);
        OptionalLong expired = OptionalLong.of(NOW - validity);

        assertThat(HaRules.decide(Optional.empty(), primary, SETTINGS, confirmed, NOW)).isInstanceOf(Decision.Wait.class);
        assertThat(HaRules.decide(Optional.empty(), primary, SETTINGS, expired, NOW)).isInstanceOf(Decision.Demote.class);
        assertThat(HaRules.decide(Optional.empty(), primary, SETTINGS, OptionalLong.empty(), NOW)).isInstanceOf(Decision.Demote.class);
    }

    @Test
    void withoutTheStoreAReplicaKeepsServingReads() {
        assertThat(HaRules.decide(Optional.empty(), running(true, 100, Optional.empty()), SETTINGS, OptionalLong.empty(), NOW))
                .isInstanceOf(Decision.Wait.class);
    }

    @Test
    void theLeadershipWindowLeavesRetryTimeoutBeforeTheLeaseCanExpire() {
        assertThat(SETTINGS.leadershipValidityNanos()).isEqualTo(20 * SECOND);
    }

    @Test
    void slotNamesFollowPatroni() {
        assertThat(HaRules.slotNameFor("Node-1.example")).isEqualTo("node_1_example");
    }

    @Test
    void everyDecisionDescribesItself() {
        List<Decision> all = new ArrayList<>(List.of(new Decision.Bootstrap(), new Decision.AcquireLeadership(),
                new Decision.Wait("x"), new Decision.ClaimCluster("1")));
        all.forEach(decision -> assertThat(decision.description()).isNotBlank());
    }
}
