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
    private static final HaSettings SETTINGS = settings(false, 1, false, 300, false);
    private static final long NOW = 1_000 * SECOND;
    /** Leadership proved this cycle: what the loop remembers after a successful renewal. */
    private static final AgentMemory LEADING = AgentMemory.confirmedAt(NOW);
    private static final java.time.OffsetDateTime WALL_NOW = java.time.OffsetDateTime.parse("2026-11-27T10:00:00Z");

    private static HaSettings settings(boolean noFailover, int priority, boolean paused, int primaryStartTimeout, boolean reclone) {
        return new HaSettings("node1", new TimingSettings(30, 10, 10), 1_048_576, noFailover, priority, paused,
                primaryStartTimeout, reclone, HaSettings.Synchronous.OFF, true, 20, false);
    }

    private static final HaSettings SYNCHRONOUS = new HaSettings("node1", new TimingSettings(30, 10, 10), 1_048_576, false, 1,
            false, 300, false, new HaSettings.Synchronous(true, false, 1, -1), true, 20, false);

    private static ClusterView withSync(Optional<String> leader, io.spilo.dcs.SyncState sync, Member... members) {
        return new ClusterView(Optional.of(SYSTEM_ID), leader.map(name -> new Leader(name, 7, 42)), List.of(members),
                new DynamicConfig(new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("synchronous_mode", true), 3),
                true, 100, List.of(), Optional.of(sync), Optional.empty(), 100);
    }

    private static Member member(String name, int port, String role, long wal) {
        return new Member(name, "postgres://127.0.0.1:" + port + "/postgres", "http://127.0.0.1:" + (port + 1000) + "/patroni",
                "running", role, wal, 1, Map.of());
    }

    private static ClusterView cluster(Optional<String> initialize, Optional<String> leader, long optime, Member... members) {
        return withFailover(initialize, leader, optime, Optional.empty(), members);
    }

    private static ClusterView withFailover(Optional<String> initialize, Optional<String> leader, long optime,
            Optional<io.spilo.dcs.Switchover> failover, Member... members) {
        return new ClusterView(initialize, leader.map(name -> new Leader(name, 7, 42)), List.of(members),
                DynamicConfig.empty(), true, optime, List.of(), Optional.empty(), failover, 100);
    }

    private static io.spilo.dcs.Switchover request(String leader, String candidate, String scheduledAt) {
        return new io.spilo.dcs.Switchover(Optional.ofNullable(leader), Optional.ofNullable(candidate),
                Optional.ofNullable(scheduledAt).map(java.time.OffsetDateTime::parse));
    }

    private static ClusterView ledBy(String leader, Member... members) {
        return cluster(Optional.of(SYSTEM_ID), Optional.of(leader), 100, members);
    }

    private static LocalState running(boolean inRecovery, long wal, Optional<String> upstream) {
        return new LocalState(true, RunState.RUNNING, Optional.of(4242L), Optional.of(SYSTEM_ID), inRecovery, 1, wal, wal,
                Optional.empty(), upstream, inRecovery, 150018, Optional.of("2026-11-27 00:00:00.000000+00:00"), List.of(),
                Optional.empty(), 0, false);
    }

    private static LocalState stoppedWithData() {
        return LocalState.stopped(true, Optional.of(SYSTEM_ID), Optional.of("shut down in recovery"), 1, 100);
    }

    private static Decision decide(ClusterView view, LocalState local) {
        return HaRules.decide(Optional.of(view), local, SETTINGS, LEADING, NOW, WALL_NOW);
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
                .isEqualTo(new Decision.Demote("node2 holds the leader key"));
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

        assertThat(decide(view, LocalState.stopped(true, Optional.of(SYSTEM_ID), Optional.of("shut down"), 1, 100)))
                .isInstanceOf(Decision.StartAsLeader.class);
    }

    @Test
    void withNoLeaderAHealthyReplicaRacesForTheKey() {
        ClusterView view = cluster(Optional.of(SYSTEM_ID), Optional.empty(), 100);

        assertThat(decide(view, running(true, 100, Optional.of("127.0.0.1:5433")))).isEqualTo(new Decision.AcquireLeadership(false));
    }

    @Test
    void withNoLeaderAStoppedMemberStartsAsAReplicaOfNobodyFirst() {
        ClusterView view = cluster(Optional.of(SYSTEM_ID), Optional.empty(), 100);

        assertThat(decide(view, stoppedWithData())).isEqualTo(new Decision.StartAsReplica(Optional.empty()));
    }

    @Test
    void aNofailoverMemberNeverRaces() {
        ClusterView view = cluster(Optional.of(SYSTEM_ID), Optional.empty(), 100);
        HaSettings noFailover = settings(true, 1, false, 300, false);

        Decision decision = HaRules.decide(Optional.of(view), running(true, 100, Optional.empty()), noFailover, LEADING, NOW, WALL_NOW);

        assertThat(decision).isInstanceOf(Decision.Wait.class);
        assertThat(decision.description()).contains("nofailover");
    }

    @Test
    void aReplicaTooFarBehindTheLastLeaderPositionDoesNotRace() {
        ClusterView view = cluster(Optional.of(SYSTEM_ID), Optional.empty(), 10_000_000);

        assertThat(decide(view, running(true, 10_000_000 - 1_048_577, Optional.empty()))).isInstanceOf(Decision.Wait.class);
        assertThat(decide(view, running(true, 10_000_000 - 1_048_576, Optional.empty()))).isEqualTo(new Decision.AcquireLeadership(false));
    }

    @Test
    void aPausedClusterNeverPromotesAutomatically() {
        ClusterView view = cluster(Optional.of(SYSTEM_ID), Optional.empty(), 100);
        HaSettings paused = settings(false, 1, true, 300, false);

        assertThat(HaRules.decide(Optional.of(view), running(true, 100, Optional.empty()), paused, LEADING, NOW, WALL_NOW))
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
        AgentMemory confirmed = AgentMemory.confirmedAt(NOW - validity + 1);
        AgentMemory expired = AgentMemory.confirmedAt(NOW - validity);

        assertThat(HaRules.decide(Optional.empty(), primary, SETTINGS, confirmed, NOW, WALL_NOW)).isInstanceOf(Decision.Wait.class);
        assertThat(HaRules.decide(Optional.empty(), primary, SETTINGS, expired, NOW, WALL_NOW)).isInstanceOf(Decision.Demote.class);
        assertThat(HaRules.decide(Optional.empty(), primary, SETTINGS, AgentMemory.initial(), NOW, WALL_NOW)).isInstanceOf(Decision.Demote.class);
    }

    @Test
    void withoutTheStoreAReplicaKeepsServingReads() {
        assertThat(HaRules.decide(Optional.empty(), running(true, 100, Optional.empty()), SETTINGS, AgentMemory.initial(), NOW, WALL_NOW))
                .isInstanceOf(Decision.Wait.class);
    }

    @Test
    void theLeadershipWindowLeavesRetryTimeoutBeforeTheLeaseCanExpire() {
        assertThat(SETTINGS.leadershipValidityNanos()).isEqualTo(20 * SECOND);
    }

    @Test
    void aPausedPrimaryWithoutTheStoreIsNotDemoted() {
        assertThat(HaRules.decide(Optional.empty(), running(false, 100, Optional.empty()), settings(false, 1, true, 300, false),
                LEADING, NOW, WALL_NOW)).isInstanceOf(Decision.Wait.class);
    }

    @Test
    void aCrashedPrimaryIsRestartedInPlaceFirst() {
        ClusterView view = ledBy("node1");
        AgentMemory downForAWhile = LEADING.withPrimaryDownSince(OptionalLong.of(NOW - 299 * SECOND));
        LocalState crashedPrimary = LocalState.stopped(true, Optional.of(SYSTEM_ID), Optional.of("in production"), 1, 100);

        assertThat(HaRules.decide(Optional.of(view), crashedPrimary, SETTINGS, downForAWhile, NOW, WALL_NOW))
                .isInstanceOf(Decision.StartAsLeader.class);
    }

    @Test
    void aKeyHolderWhoseDataIsAStandbysStartsAsStandbyToBePromotedNotAsPrimary() {
        ClusterView view = ledBy("node1");

        assertThat(decide(view, stoppedWithData())).isEqualTo(new Decision.StartAsReplica(Optional.empty()));
    }

    @Test
    void aPrimaryStillStartingWithinTheTimeoutKeepsTheKey() {
        ClusterView view = ledBy("node1");
        AgentMemory down = LEADING.withPrimaryDownSince(OptionalLong.of(NOW - 10 * SECOND));

        assertThat(HaRules.decide(Optional.of(view), LocalState.starting(1, Optional.of(SYSTEM_ID)), SETTINGS, down, NOW, WALL_NOW))
                .isInstanceOf(Decision.Wait.class);
    }

    @Test
    void aPrimaryThatDoesNotRunWithinPrimaryStartTimeoutReleasesTheKey() {
        ClusterView view = ledBy("node1");
        AgentMemory downTooLong = LEADING.withPrimaryDownSince(OptionalLong.of(NOW - 300 * SECOND));

        assertThat(HaRules.decide(Optional.of(view), LocalState.starting(1, Optional.of(SYSTEM_ID)), SETTINGS, downTooLong, NOW, WALL_NOW))
                .isInstanceOf(Decision.ReleaseLeadership.class);
    }

    @Test
    void withPrimaryStartTimeoutZeroACrashedPrimaryReleasesTheKeyAtOnce() {
        ClusterView view = ledBy("node1");

        LocalState crashedPrimary = LocalState.stopped(true, Optional.of(SYSTEM_ID), Optional.of("in production"), 1, 100);
        assertThat(HaRules.decide(Optional.of(view), crashedPrimary, settings(false, 1, false, 0, false), LEADING, NOW, WALL_NOW))
                .isInstanceOf(Decision.ReleaseLeadership.class);
    }

    @Test
    void aMemberThatJustReleasedTheKeyDoesNotRaceForOneTtl() {
        ClusterView view = cluster(Optional.of(SYSTEM_ID), Optional.empty(), 100);
        AgentMemory released = LEADING.withReleasedLeadershipAt(OptionalLong.of(NOW - 29 * SECOND));
        AgentMemory longAgo = LEADING.withReleasedLeadershipAt(OptionalLong.of(NOW - 30 * SECOND));
        LocalState replica = running(true, 100, Optional.empty());

        assertThat(HaRules.decide(Optional.of(view), replica, SETTINGS, released, NOW, WALL_NOW)).isInstanceOf(Decision.Wait.class);
        assertThat(HaRules.decide(Optional.of(view), replica, SETTINGS, longAgo, NOW, WALL_NOW)).isEqualTo(new Decision.AcquireLeadership(false));
    }

    @Test
    void aFormerPrimaryRewindsBeforeFollowingTheNewLeader() {
        ClusterView view = ledBy("node2", member("node2", 5433, "primary", 100));
        LocalState formerPrimary = LocalState.stopped(true, Optional.of(SYSTEM_ID), Optional.of("in production"), 1, 100);

        assertThat(decide(view, formerPrimary))
                .isEqualTo(new Decision.RewindFrom("node2", new Upstream("127.0.0.1", 5433, "node1")));
    }

    @Test
    void aStoppedReplicaOnAnOlderTimelineRewindsToo() {
        Member leader = new Member("node2", "postgres://127.0.0.1:5433/postgres", "http://127.0.0.1:6433/patroni",
                "running", "primary", 100, 2, Map.of());
        ClusterView view = ledBy("node2", leader);

        assertThat(decide(view, stoppedWithData())).isInstanceOf(Decision.RewindFrom.class);
    }

    /**
     * A standby killed (not cleanly stopped) right after its leader's promotion: crash recovery
     * before pg_rewind would end its recovery and write WAL on the leader's timeline that the leader
     * never had (the fault suite's "replica killed during a switchover" then never streamed again).
     * It starts as a standby instead; the stalled-replica rule rewinds it if it really diverged.
     */
    @Test
    void aStandbyStoppedUncleanlyOnAnOlderTimelineStartsAsAStandbyInsteadOfBeingRewound() {
        Member leader = new Member("node2", "postgres://127.0.0.1:5433/postgres", "http://127.0.0.1:6433/patroni",
                "running", "primary", 100, 2, Map.of());
        ClusterView view = ledBy("node2", leader);
        LocalState killedStandby = LocalState.stopped(true, Optional.of(SYSTEM_ID), Optional.of("in archive recovery"), 1, 100);

        assertThat(decide(view, killedStandby)).isEqualTo(new Decision.StartAsReplica(Optional.of(new Upstream("127.0.0.1", 5433, "node1"))));
    }

    @Test
    void aFailedRewindStaysDownAndSaysWhyUnlessRecloningIsAllowed() {
        ClusterView view = ledBy("node2", member("node2", 5433, "primary", 100));
        LocalState formerPrimary = LocalState.stopped(true, Optional.of(SYSTEM_ID), Optional.of("shut down"), 1, 100);
        AgentMemory failed = LEADING.withRewindFailure(Optional.of("pg_rewind exit 1"));

        Decision staysDown = HaRules.decide(Optional.of(view), formerPrimary, SETTINGS, failed, NOW, WALL_NOW);
        Decision reclones = HaRules.decide(Optional.of(view), formerPrimary, settings(false, 1, false, 300, true), failed, NOW, WALL_NOW);

        assertThat(staysDown).isInstanceOf(Decision.Wait.class);
        assertThat(staysDown.description()).contains("pg_rewind failed").contains("remove_data_directory_on_rewind_failure");
        assertThat(reclones).isEqualTo(new Decision.RemoveDataDirectory("pg_rewind exit 1"));
    }

    @Test
    void aPausedClusterDoesNotDemoteAPrimaryWithoutTheKey() {
        ClusterView view = ledBy("node2", member("node2", 5433, "primary", 100));

        assertThat(HaRules.decide(Optional.of(view), running(false, 100, Optional.empty()), settings(false, 1, true, 300, false),
                LEADING, NOW, WALL_NOW)).isInstanceOf(Decision.Wait.class);
    }

    @Test
    void theRaceStepsBackForAPeerThatIsStillPrimary() {
        List<PeerStatus> peers = List.of(new PeerStatus("node2", true, true, 50, 1, false));

        assertThat(RaceRules.reasonToStepBack(100, false, SETTINGS, peers)).hasValueSatisfying(reason -> assertThat(reason).contains("node2"));
    }

    @Test
    void theRaceStepsBackForAPeerWithMoreWal() {
        assertThat(RaceRules.reasonToStepBack(100, false, SETTINGS, List.of(new PeerStatus("node2", true, false, 101, 1, false)))).isPresent();
        assertThat(RaceRules.reasonToStepBack(100, false, SETTINGS, List.of(new PeerStatus("node2", true, false, 99, 1, false)))).isEmpty();
    }

    @Test
    void equalWalAndHigherPriorityWinsEqualPriorityRaces() {
        assertThat(RaceRules.reasonToStepBack(100, false, SETTINGS, List.of(new PeerStatus("node2", true, false, 100, 2, false)))).isPresent();
        assertThat(RaceRules.reasonToStepBack(100, false, SETTINGS, List.of(new PeerStatus("node2", true, false, 100, 1, false)))).isEmpty();
    }

    @Test
    void peersThatMayNotBePromotedOrDoNotAnswerAreNotCompared() {
        List<PeerStatus> peers = List.of(
                new PeerStatus("node2", true, false, 500, 1, true),
                new PeerStatus("node3", true, false, 500, 0, false),
                PeerStatus.unreachable("node4"));

        assertThat(RaceRules.reasonToStepBack(100, false, SETTINGS, peers)).isEmpty();
    }

    @Test
    void aReplicaStuckBehindTheLeadersNewerTimelineIsStoppedForARewindAfterOneTtl() {
        Member leader = new Member("node2", "postgres://127.0.0.1:5433/postgres", "http://127.0.0.1:6433/patroni",
                "running", "primary", 100, 2, Map.of());
        ClusterView view = ledBy("node2", leader);
        LocalState stuck = new LocalState(true, RunState.RUNNING, Optional.of(1L), Optional.of(SYSTEM_ID), true, 1, 100, 100,
                Optional.empty(), Optional.of("127.0.0.1:5433"), false, 150018, Optional.empty(), List.of(), Optional.empty(), 0, false);
        AgentMemory stalledJustNow = LEADING.withReplicaStalledSince(OptionalLong.of(NOW - 29 * SECOND));
        AgentMemory stalledForATtl = LEADING.withReplicaStalledSince(OptionalLong.of(NOW - 30 * SECOND));

        assertThat(HaRules.decide(Optional.of(view), stuck, SETTINGS, stalledJustNow, NOW, WALL_NOW)).isInstanceOf(Decision.Wait.class);
        assertThat(HaRules.decide(Optional.of(view), stuck, SETTINGS, stalledForATtl, NOW, WALL_NOW)).isInstanceOf(Decision.Demote.class);
    }

    @Test
    void aDueSwitchoverRequestHandsOverToTheNamedCandidate() {
        ClusterView view = withFailover(Optional.of(SYSTEM_ID), Optional.of("node1"), 100,
                Optional.of(request("node1", "node3", null)), member("node1", 5432, "primary", 100),
                member("node2", 5433, "replica", 100), member("node3", 5434, "replica", 90));

        assertThat(decide(view, running(false, 100, Optional.empty()))).isEqualTo(new Decision.Switchover("node3"));
    }

    @Test
    void withoutACandidateTheReplicaWithMostWalIsChosen() {
        ClusterView view = withFailover(Optional.of(SYSTEM_ID), Optional.of("node1"), 100,
                Optional.of(request("node1", null, null)), member("node1", 5432, "primary", 100),
                member("node2", 5433, "replica", 80), member("node3", 5434, "replica", 90));

        assertThat(decide(view, running(false, 100, Optional.empty()))).isEqualTo(new Decision.Switchover("node3"));
    }

    @Test
    void aScheduledSwitchoverWaitsForItsTimeAndAStaleOneIsCleared() {
        Member[] members = {member("node1", 5432, "primary", 100), member("node2", 5433, "replica", 100)};
        ClusterView later = withFailover(Optional.of(SYSTEM_ID), Optional.of("node1"), 100,
                Optional.of(request("node1", "node2", "2026-11-27T10:00:01Z")), members);
        ClusterView due = withFailover(Optional.of(SYSTEM_ID), Optional.of("node1"), 100,
                Optional.of(request("node1", "node2", "2026-11-27T10:00:00Z")), members);
        ClusterView stale = withFailover(Optional.of(SYSTEM_ID), Optional.of("node1"), 100,
                Optional.of(request("node1", "node2", "2026-11-27T09:59:00Z")), members);
        LocalState primary = running(false, 100, Optional.empty());

        assertThat(decide(later, primary)).isInstanceOf(Decision.HoldLeadership.class);
        assertThat(decide(due, primary)).isEqualTo(new Decision.Switchover("node2"));
        assertThat(decide(stale, primary)).isInstanceOf(Decision.ClearSwitchover.class);
    }

    @Test
    void aRequestForAnotherLeaderOrAnImpossibleCandidateIsCleared() {
        Member[] members = {member("node1", 5432, "primary", 100), member("node2", 5433, "replica", 100)};
        ClusterView otherLeader = withFailover(Optional.of(SYSTEM_ID), Optional.of("node1"), 100,
                Optional.of(request("node9", "node2", null)), members);
        ClusterView unknownCandidate = withFailover(Optional.of(SYSTEM_ID), Optional.of("node1"), 100,
                Optional.of(request("node1", "node7", null)), members);

        assertThat(decide(otherLeader, running(false, 100, Optional.empty()))).isInstanceOf(Decision.ClearSwitchover.class);
        assertThat(decide(unknownCandidate, running(false, 100, Optional.empty()))).isInstanceOf(Decision.ClearSwitchover.class);
    }

    @Test
    void theRequestedCandidateTakesTheKeyWithoutAskingItsPeersAndTheOthersWait() {
        ClusterView view = withFailover(Optional.of(SYSTEM_ID), Optional.empty(), 100,
                Optional.of(request("node2", "node1", null)), member("node1", 5432, "replica", 100),
                member("node3", 5434, "replica", 100));
        ClusterView forNode3 = withFailover(Optional.of(SYSTEM_ID), Optional.empty(), 100,
                Optional.of(request("node2", "node3", null)), member("node1", 5432, "replica", 100),
                member("node3", 5434, "replica", 100));

        assertThat(decide(view, running(true, 100, Optional.empty()))).isEqualTo(new Decision.AcquireLeadership(true));
        assertThat(decide(forNode3, running(true, 100, Optional.empty()))).isInstanceOf(Decision.Wait.class);
    }

    @Test
    void aManualFailoverWorksInAPausedCluster() {
        ClusterView view = withFailover(Optional.of(SYSTEM_ID), Optional.empty(), 100,
                Optional.of(request(null, "node1", null)), member("node1", 5432, "replica", 100));

        assertThat(HaRules.decide(Optional.of(view), running(true, 100, Optional.empty()), settings(false, 1, true, 300, false),
                LEADING, NOW, WALL_NOW)).isEqualTo(new Decision.AcquireLeadership(true));
    }

    @Test
    void aPausedClusterDoesNotStartAStoppedReplica() {
        ClusterView view = ledBy("node2", member("node2", 5433, "primary", 100));

        assertThat(HaRules.decide(Optional.of(view), stoppedWithData(), settings(false, 1, true, 300, false),
                LEADING, NOW, WALL_NOW)).isInstanceOf(Decision.Wait.class);
    }

    @Test
    void inSynchronousModeOnlyAStandbyNamedInTheSyncKeyMayTakeOver() {
        io.spilo.dcs.SyncState sync = new io.spilo.dcs.SyncState(Optional.of("node2"), List.of("node3"), 5);
        ClusterView view = withSync(Optional.empty(), sync, member("node3", 5434, "replica", 100));
        io.spilo.dcs.SyncState namesMe = new io.spilo.dcs.SyncState(Optional.of("node2"), List.of("node1"), 5);

        Decision async = HaRules.decide(Optional.of(view), running(true, 500, Optional.empty()), SYNCHRONOUS, LEADING, NOW, WALL_NOW);
        Decision standby = HaRules.decide(Optional.of(withSync(Optional.empty(), namesMe)), running(true, 100, Optional.empty()),
                SYNCHRONOUS, LEADING, NOW, WALL_NOW);

        assertThat(async).as("more WAL does not make an asynchronous replica promotable").isInstanceOf(Decision.Wait.class);
        assertThat(async.description()).contains("synchronous standby");
        assertThat(standby).isEqualTo(new Decision.AcquireLeadership(false));
    }

    @Test
    void aSwitchoverInSynchronousModeNeedsASynchronousCandidate() {
        io.spilo.dcs.SyncState sync = new io.spilo.dcs.SyncState(Optional.of("node1"), List.of("node2"), 5);
        ClusterView view = new ClusterView(Optional.of(SYSTEM_ID), Optional.of(new Leader("node1", 7, 42)),
                List.of(member("node1", 5432, "primary", 100), member("node2", 5433, "replica", 90), member("node3", 5434, "replica", 100)),
                new DynamicConfig(new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("synchronous_mode", true), 3),
                true, 100, List.of(), Optional.of(sync), Optional.of(request("node1", "node3", null)), 100);
        ClusterView noCandidate = new ClusterView(view.initialize(), view.leader(), view.members(), view.config(), true, 100,
                List.of(), Optional.of(sync), Optional.of(request("node1", null, null)), 100);

        assertThat(HaRules.decide(Optional.of(view), running(false, 100, Optional.empty()), SYNCHRONOUS, LEADING, NOW, WALL_NOW))
                .isInstanceOf(Decision.ClearSwitchover.class);
        assertThat(HaRules.decide(Optional.of(noCandidate), running(false, 100, Optional.empty()), SYNCHRONOUS, LEADING, NOW,
                WALL_NOW)).as("the synchronous standby, though it has less WAL").isEqualTo(new Decision.Switchover("node2"));
    }

    @Test
    void slotNamesFollowPatroni() {
        assertThat(HaRules.slotNameFor("Node-1.example")).isEqualTo("node_1_example");
    }

    @Test
    void everyDecisionDescribesItself() {
        List<Decision> all = new ArrayList<>(List.of(new Decision.Bootstrap(), new Decision.AcquireLeadership(false),
                new Decision.Wait("x"), new Decision.ClaimCluster("1")));
        all.forEach(decision -> assertThat(decision.description()).isNotBlank());
    }

    @Test
    void nobodyRacesAgainstAMemberThatIsPromoting() {
        PeerStatus promoting = new PeerStatus("node2", true, false, 90, 1, false, true);

        assertThat(RaceRules.reasonToStepBack(100, false, SETTINGS, List.of(promoting)))
                .hasValueSatisfying(reason -> assertThat(reason).contains("node2 is promoting"));
    }

    @Test
    void aKeylessPrimaryIsNoReasonForAnotherKeylessPrimaryToStepBack() {
        PeerStatus otherPrimary = new PeerStatus("node2", true, true, 100, 1, false, false);

        assertThat(RaceRules.reasonToStepBack(100, true, SETTINGS, List.of(otherPrimary))).isEmpty();
        assertThat(RaceRules.reasonToStepBack(100, false, SETTINGS, List.of(otherPrimary))).isPresent();
    }

    @Test
    void aKeylessPrimaryDoesNotStepBackForAReplicaReportingMoreWal() {
        PeerStatus replicaAhead = new PeerStatus("node2", true, false, 101, 2, false, false);

        assertThat(RaceRules.reasonToStepBack(100, true, SETTINGS, List.of(replicaAhead))).isEmpty();
        assertThat(RaceRules.reasonToStepBack(100, false, SETTINGS, List.of(replicaAhead))).isPresent();
    }

    @Test
    void duringALongActionTheOnlyDecisionBesidesWaitingIsTheSafetyDemotion() {
        ActionInProgress promoting = new ActionInProgress(MemberState.PROMOTING, "promoting PostgreSQL", NOW - SECOND);
        AgentMemory lapsed = AgentMemory.confirmedAt(NOW - SETTINGS.leadershipValidityNanos()).withActionInProgress(Optional.of(promoting));
        AgentMemory valid = LEADING.withActionInProgress(Optional.of(promoting));
        ClusterView view = ledBy("node1", member("node1", 5432, "replica", 100));

        assertThat(HaRules.decide(Optional.of(view), running(true, 100, Optional.empty()), SETTINGS, valid, NOW, WALL_NOW))
                .isInstanceOf(Decision.Wait.class);
        assertThat(HaRules.decide(Optional.of(view), running(true, 100, Optional.empty()), SETTINGS, lapsed, NOW, WALL_NOW))
                .isInstanceOf(Decision.Demote.class);
        assertThat(HaRules.decide(Optional.empty(), running(false, 100, Optional.empty()), SETTINGS, lapsed, NOW, WALL_NOW))
                .isInstanceOf(Decision.Demote.class);
        ActionInProgress initdb = new ActionInProgress(MemberState.INITIALIZING, "initializing a new cluster", NOW);
        assertThat(HaRules.decide(Optional.empty(), running(false, 100, Optional.empty()), SETTINGS,
                AgentMemory.initial().withActionInProgress(Optional.of(initdb)), NOW, WALL_NOW)).isInstanceOf(Decision.Wait.class);
    }

    @Test
    void aKeyHolderWhoseLeadershipIsNotConfirmedNeverActsAsLeader() {
        ClusterView view = ledBy("node1", member("node1", 5432, "primary", 100));

        assertThat(HaRules.decide(Optional.of(view), running(false, 100, Optional.empty()), SETTINGS, AgentMemory.initial(),
                NOW, WALL_NOW)).isInstanceOf(Decision.Demote.class);
        assertThat(HaRules.decide(Optional.of(view), running(true, 100, Optional.empty()), SETTINGS, AgentMemory.initial(),
                NOW, WALL_NOW)).isInstanceOf(Decision.Wait.class);
        assertThat(HaRules.decide(Optional.of(view), stoppedWithData(), SETTINGS, AgentMemory.initial(), NOW, WALL_NOW))
                .isInstanceOf(Decision.Wait.class);
    }

    @Test
    void aReplicaFollowsTheLeaderAndKeepsItsUpstreamWhileThereIsNoLeader() {
        ClusterView led = ledBy("node2", member("node2", 5433, "primary", 100));
        ClusterView leaderless = cluster(Optional.of(SYSTEM_ID), Optional.empty(), 100, member("node2", 5433, "replica", 100));
        LocalState replica = running(true, 100, Optional.of("127.0.0.1:5433"));

        assertThat(HaRules.upstreamToConfigure(led, replica, "node1", true))
                .hasValue(Optional.of(new Upstream("127.0.0.1", 5433, "node1")));
        assertThat(HaRules.upstreamToConfigure(leaderless, replica, "node1", true)).isEmpty();
        assertThat(HaRules.upstreamToConfigure(leaderless, running(false, 100, Optional.empty()), "node1", true)).hasValue(Optional.empty());
    }

    @Test
    void withoutSlotsAReplicaNamesNoSlotOnItsUpstream() {
        ClusterView led = ledBy("node2", member("node2", 5433, "primary", 100));
        HaSettings noSlots = new HaSettings("node1", new TimingSettings(30, 10, 10), 1_048_576, false, 1, false, 300, false,
                HaSettings.Synchronous.OFF, false, 20, false);

        assertThat(HaRules.upstreamToConfigure(led, running(true, 100, Optional.of("127.0.0.1:5433")), "node1", false))
                .hasValue(Optional.of(new Upstream("127.0.0.1", 5433, "")));
        assertThat(HaRules.decide(Optional.of(led), stoppedWithData(), noSlots, AgentMemory.initial(), NOW, WALL_NOW))
                .isEqualTo(new Decision.StartAsReplica(Optional.of(new Upstream("127.0.0.1", 5433, ""))));
    }

    @Test
    void aRequestedCandidateThatCannotTakeOverDoesNotBlockTheElection() {
        Member stoppedCandidate = new Member("node1", "postgres://127.0.0.1:5432/postgres", "http://127.0.0.1:6432/patroni",
                "stopped", "replica", 100, 1, Map.of());
        ClusterView stopped = withFailover(Optional.of(SYSTEM_ID), Optional.empty(), 100, Optional.of(request("node2", "node1", null)),
                stoppedCandidate, member("node3", 5434, "replica", 100));
        ClusterView running = withFailover(Optional.of(SYSTEM_ID), Optional.empty(), 100, Optional.of(request("node2", "node3", null)),
                member("node1", 5432, "replica", 100), member("node3", 5434, "replica", 100));
        AgentMemory justAsked = AgentMemory.initial().withWaitingForCandidateSince(OptionalLong.of(NOW - SECOND));
        AgentMemory waitedATtl = AgentMemory.initial().withWaitingForCandidateSince(OptionalLong.of(NOW - SETTINGS.ttlNanos()));
        HaSettings anotherReplica = new HaSettings("node2", SETTINGS.timing(), SETTINGS.maximumLagOnFailover(), false, 1, false, 300, false,
                HaSettings.Synchronous.OFF, true, 20, false);

        assertThat(HaRules.decide(Optional.of(stopped), running(true, 100, Optional.empty()), anotherReplica, justAsked, NOW, WALL_NOW))
                .isEqualTo(new Decision.AcquireLeadership(false));
        assertThat(HaRules.decide(Optional.of(running), running(true, 100, Optional.empty()), anotherReplica, justAsked, NOW, WALL_NOW))
                .isInstanceOf(Decision.Wait.class);
        assertThat(HaRules.decide(Optional.of(running), running(true, 100, Optional.empty()), anotherReplica, waitedATtl, NOW, WALL_NOW))
                .isEqualTo(new Decision.AcquireLeadership(false));
    }
}
