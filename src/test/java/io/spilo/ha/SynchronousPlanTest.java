package io.spilo.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.spilo.dcs.Member;
import io.spilo.dcs.SyncState;
import io.spilo.postgres.ReplicationConnection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The ordering rules of sync updates (DESIGN §4 invariant 2), one step at a time. */
class SynchronousPlanTest {
    private static final HaSettings.Synchronous ONE = new HaSettings.Synchronous(true, false, 1, -1);
    private static final HaSettings.Synchronous STRICT = new HaSettings.Synchronous(true, true, 1, -1);
    private static final List<Member> MEMBERS = List.of(member("node1", 100), member("node2", 100), member("node3", 90));

    private static Member member(String name, long wal) {
        return new Member(name, "postgres://127.0.0.1:5432/postgres", "http://127.0.0.1:8008/patroni", "running", "replica", wal, 1, Map.of());
    }

    /** A standby that has flushed everything the leader wrote (position 100). */
    private static ReplicationConnection streaming(String name, String syncState) {
        return streaming(name, syncState, 100);
    }

    private static ReplicationConnection streaming(String name, String syncState, long flushed) {
        return new ReplicationConnection(name, "127.0.0.1", "streaming", 0, syncState, "replicator", flushed);
    }

    private static Optional<SyncState> key(String leader, String... standbys) {
        return Optional.of(new SyncState(Optional.of(leader), List.of(standbys), 9));
    }

    @Test
    void aNewLeaderFirstTakesTheKeyNamingNoStandby() {
        SynchronousPlan plan = SynchronousPlan.plan("node1", key("node2", "node1", "node3"),
                List.of(streaming("node3", "async")), MEMBERS, 100, 0, ONE);

        assertThat(plan.keyStandbys()).contains(List.of());
        assertThat(plan.standbyNames()).isEmpty();
    }

    @Test
    void aStandbyIsEnabledInPostgresBeforeTheKeyNamesIt() {
        SynchronousPlan enable = SynchronousPlan.plan("node1", key("node1"), List.of(streaming("node2", "async")), MEMBERS, 100, 0, ONE);

        assertThat(enable.keyStandbys()).as("not yet in the key: PostgreSQL does not wait for it yet").isEmpty();
        assertThat(enable.standbyNames()).containsExactly("node2");

        SynchronousPlan name = SynchronousPlan.plan("node1", key("node1"), List.of(streaming("node2", "sync")), MEMBERS, 100, 0, ONE);

        assertThat(name.keyStandbys()).contains(List.of("node2"));
        assertThat(name.standbyNames()).containsExactly("node2");
    }

    @Test
    void aLostStandbyLeavesTheKeyInTheSameStepThatReplacesItInPostgres() {
        SynchronousPlan plan = SynchronousPlan.plan("node1", key("node1", "node2"), List.of(streaming("node3", "async")), MEMBERS, 100, 0, ONE);

        assertThat(plan.keyStandbys()).contains(List.of());
        assertThat(plan.standbyNames()).containsExactly("node3");
    }

    @Test
    void aHealthySynchronousStandbyIsKeptEvenIfAnotherHasMoreWal() {
        List<Member> members = List.of(member("node1", 100), member("node2", 80), member("node3", 100));
        SynchronousPlan plan = SynchronousPlan.plan("node1", key("node1", "node2"),
                List.of(streaming("node2", "sync"), streaming("node3", "async")), members, 100, 0, ONE);

        assertThat(plan.keyStandbys()).isEmpty();
        assertThat(plan.standbyNames()).containsExactly("node2");
    }

    @Test
    void nosyncAndLaggingReplicasAreNotChosen() {
        List<Member> members = List.of(member("node1", 100),
                new Member("node2", "postgres://h:1/postgres", "http://h:2/patroni", "running", "replica", 100, 1, Map.of("nosync", true)),
                member("node3", 10));
        HaSettings.Synchronous lagLimited = new HaSettings.Synchronous(true, false, 1, 50);

        SynchronousPlan plan = SynchronousPlan.plan("node1", key("node1"), List.of(streaming("node2", "async"), streaming("node3", "async")),
                members, 100, 0, lagLimited);

        assertThat(plan.standbyNames()).isEmpty();
        assertThat(plan.keyStandbys()).isEmpty();
    }

    @Test
    void withNoCandidateNonStrictRunsAloneAndStrictWaitsForAnyStandby() {
        assertThat(SynchronousPlan.plan("node1", key("node1"), List.of(), MEMBERS, 100, 0, ONE).standbyNames()).isEmpty();
        assertThat(SynchronousPlan.plan("node1", key("node1"), List.of(), MEMBERS, 100, 0, STRICT).standbyNames()).containsExactly("*");
    }

    @Test
    void twoStandbysAreAllRequiredToAcknowledge() {
        HaSettings.Synchronous two = new HaSettings.Synchronous(true, false, 2, -1);

        SynchronousPlan plan = SynchronousPlan.plan("node1", key("node1", "node2"),
                List.of(streaming("node2", "sync"), streaming("node3", "sync")), MEMBERS, 100, 0, two);

        assertThat(plan.keyStandbys()).contains(List.of("node2", "node3"));
        assertThat(SynchronousPlan.render(plan.standbyNames())).isEqualTo("FIRST 2 (\"node2\",\"node3\")");
        assertThat(SynchronousPlan.render(List.of("*"))).isEqualTo("*");
        assertThat(SynchronousPlan.render(List.of())).isEmpty();
    }

    @Test
    void theKeyNeverNamesAStandbyThatIsNotInTheSetting() {
        // Every step: key standbys must be a subset of the names PostgreSQL waits for.
        List<List<ReplicationConnection>> states = List.of(List.of(), List.of(streaming("node2", "async")),
                List.of(streaming("node2", "sync")), List.of(streaming("node3", "async")), List.of(streaming("node2", "sync"), streaming("node3", "sync")));
        for (List<ReplicationConnection> replication : states) {
            for (Optional<SyncState> current : List.of(key("node1"), key("node1", "node2"), key("node1", "node3"), key("node1", "node2", "node3"))) {
                SynchronousPlan plan = SynchronousPlan.plan("node1", current, replication, MEMBERS, 100, 0, ONE);
                List<String> keyAfter = plan.keyStandbys().orElse(current.get().synchronousStandbys());
                assertThat(plan.standbyNames()).as(replication + " " + current).containsAll(keyAfter);
            }
        }
    }

    @Test
    void aReplicaRunsWithoutSynchronousStandbysAndALeaderKeepsWhatTheKeyAllowsUntilItKnowsBetter() {
        assertThat(SynchronousPlan.standbyNamesFor("node2", false, Optional.of(List.of("node3")), key("node1", "node2"), true))
                .isEmpty();
        assertThat(SynchronousPlan.standbyNamesFor("node1", true, Optional.of(List.of("node3")), key("node1", "node2"), false))
                .containsExactly("node3");
        assertThat(SynchronousPlan.standbyNamesFor("node1", true, Optional.empty(), key("node1", "node2"), false))
                .containsExactly("node2");
        assertThat(SynchronousPlan.standbyNamesFor("node1", true, Optional.empty(), key("node1"), true)).containsExactly("*");
        assertThat(SynchronousPlan.standbyNamesFor("node1", true, Optional.empty(), key("node9", "node2"), false)).isEmpty();
    }

    @Test
    void aStandbyJoinsTheKeyOnlyOnceItHasFlushedWhatWasAcknowledgedBeforeItWasEnabled() {
        List<ReplicationConnection> behind = List.of(streaming("node2", "sync", 79));
        List<ReplicationConnection> caughtUp = List.of(streaming("node2", "sync", 80));

        SynchronousPlan notYet = SynchronousPlan.plan("node1", key("node1"), behind, MEMBERS, 100, 80, ONE);
        SynchronousPlan now = SynchronousPlan.plan("node1", key("node1"), caughtUp, MEMBERS, 100, 80, ONE);

        assertThat(notYet.keyStandbys()).isEmpty();
        assertThat(notYet.standbyNames()).containsExactly("node2");
        assertThat(now.keyStandbys()).hasValue(List.of("node2"));
    }
}
