package io.spilo.ha;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.DynamicConfig;
import io.spilo.dcs.HistoryEntry;
import io.spilo.dcs.Leader;
import io.spilo.dcs.Member;
import io.spilo.dcs.Switchover;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The events the status page and 'spilo events' show, derived from two consecutive reads of etcd. */
class ClusterEventsTest {
    private static Member member(String name, String role) {
        return new Member(name, "postgres://127.0.0.1:5432/postgres", "http://127.0.0.1:8008/patroni", "running", role, 100, 1,
                Map.of(), false, role.equals("replica") ? "streaming" : "");
    }

    private static ClusterView view(Optional<String> leader, List<Member> members, List<HistoryEntry> history,
            Optional<Switchover> switchover, boolean paused) {
        DynamicConfig config = paused ? new DynamicConfig(JsonNodeFactory.instance.objectNode().put("pause", true), 1) : DynamicConfig.empty();
        return new ClusterView(Optional.of("1"), leader.map(name -> new Leader(name, 1, 1)), members, config, true, 100, history,
                Optional.empty(), switchover, 1);
    }

    private static List<ClusterEvent.Kind> kinds(List<ClusterEvent> events) {
        return events.stream().map(ClusterEvent::kind).toList();
    }

    @Test
    void aFailoverIsTheLeaderKeyLostThenANewLeaderOnANewTimelineAndTheOldMemberLeaving() {
        ClusterView healthy = view(Optional.of("node1"), List.of(member("node1", "primary"), member("node2", "replica")), List.of(),
                Optional.empty(), false);
        ClusterView keyGone = view(Optional.empty(), List.of(member("node1", "primary"), member("node2", "replica")), List.of(),
                Optional.empty(), false);
        ClusterView promoted = view(Optional.of("node2"), List.of(member("node2", "primary")),
                List.of(new HistoryEntry(1, 100, "no recovery target specified", "2026-11-28T07:00:00+00:00", "node2")),
                Optional.empty(), false);

        assertThat(ClusterEvents.between(Optional.empty(), healthy, 1)).as("nothing before the first read").isEmpty();
        List<ClusterEvent> lost = ClusterEvents.between(Optional.of(healthy), keyGone, 2);
        assertThat(kinds(lost)).containsExactly(ClusterEvent.Kind.LEADER_LOST);
        assertThat(lost.get(0).text()).contains("node1");
        List<ClusterEvent> after = ClusterEvents.between(Optional.of(keyGone), promoted, 3);
        assertThat(kinds(after)).containsExactly(ClusterEvent.Kind.ROLE_CHANGED, ClusterEvent.Kind.MEMBER_LEFT,
                ClusterEvent.Kind.LEADER_CHANGED, ClusterEvent.Kind.FAILOVER);
        assertThat(after.get(3).text()).isEqualTo("failover: node2 promoted, timeline 2");
        assertThat(after).allMatch(event -> event.epochMillis() == 3);
    }

    @Test
    void aRequestedSwitchoverIsReportedWhenAskedAndWhenDone() {
        Switchover request = new Switchover(Optional.of("node1"), Optional.of("node2"), Optional.empty());
        ClusterView before = view(Optional.of("node1"), List.of(member("node1", "primary"), member("node2", "replica")), List.of(),
                Optional.empty(), false);
        ClusterView asked = view(Optional.of("node1"), before.members(), List.of(), Optional.of(request), false);
        ClusterView done = view(Optional.of("node2"), List.of(member("node1", "replica"), member("node2", "primary")),
                List.of(new HistoryEntry(1, 100, "switchover", "2026-11-28T07:00:00+00:00", "node2")), Optional.empty(), false);

        List<ClusterEvent> requested = ClusterEvents.between(Optional.of(before), asked, 1);
        assertThat(kinds(requested)).containsExactly(ClusterEvent.Kind.SWITCHOVER_REQUESTED);
        assertThat(requested.get(0).text()).isEqualTo("switchover requested from node1 to node2");
        assertThat(kinds(ClusterEvents.between(Optional.of(asked), done, 2))).contains(ClusterEvent.Kind.SWITCHOVER_DONE,
                ClusterEvent.Kind.LEADER_CHANGED).doesNotContain(ClusterEvent.Kind.FAILOVER);
    }

    @Test
    void joiningMembersAndMaintenanceModeAreEvents() {
        ClusterView one = view(Optional.of("node1"), List.of(member("node1", "primary")), List.of(), Optional.empty(), false);
        ClusterView two = view(Optional.of("node1"), List.of(member("node1", "primary"), member("node2", "replica")), List.of(),
                Optional.empty(), true);

        assertThat(kinds(ClusterEvents.between(Optional.of(one), two, 1))).containsExactly(ClusterEvent.Kind.MEMBER_JOINED,
                ClusterEvent.Kind.PAUSED);
        assertThat(kinds(ClusterEvents.between(Optional.of(two), one, 2))).containsExactly(ClusterEvent.Kind.MEMBER_LEFT,
                ClusterEvent.Kind.RESUMED);
        assertThat(ClusterEvents.between(Optional.of(two), two, 3)).isEmpty();
    }

    @Test
    void theLogKeepsTheNewestEventsOnly() {
        EventLog log = new EventLog();
        ClusterView one = view(Optional.of("node1"), List.of(member("node1", "primary")), List.of(), Optional.empty(), false);
        ClusterView paused = view(Optional.of("node1"), one.members(), List.of(), Optional.empty(), true);
        for (int i = 0; i <= EventLog.CAPACITY; i++) {
            log.observe(i % 2 == 0 ? one : paused, i);
        }
        assertThat(log.recent()).hasSize(EventLog.CAPACITY);
        assertThat(log.recent().get(EventLog.CAPACITY - 1).epochMillis()).isEqualTo(EventLog.CAPACITY);
    }
}
