package io.spilo.ha;

import io.spilo.dcs.ClusterView;
import io.spilo.dcs.HistoryEntry;
import io.spilo.dcs.Member;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What changed between two reads of the cluster, as events: members joining and leaving, the
 * leader key lost or taken, a switchover requested and carried out, a failover (a new timeline
 * without a request), a member's role changing, maintenance mode. A pure function of the two views.
 */
final class ClusterEvents {
    private ClusterEvents() {
    }

    static List<ClusterEvent> between(Optional<ClusterView> before, ClusterView after, long epochMillis) {
        List<ClusterEvent> events = new ArrayList<>();
        if (before.isEmpty()) {
            return events;
        }
        ClusterView old = before.get();
        Map<String, Member> oldMembers = old.members().stream().collect(Collectors.toMap(Member::name, Function.identity()));
        Map<String, Member> newMembers = after.members().stream().collect(Collectors.toMap(Member::name, Function.identity()));
        for (Member member : after.members()) {
            Member earlier = oldMembers.get(member.name());
            if (earlier == null) {
                events.add(new ClusterEvent(epochMillis, ClusterEvent.Kind.MEMBER_JOINED, member.name(), member.name() + " joined ("
                        + member.state() + ")"));
            } else if (!earlier.role().equals(member.role())) {
                events.add(new ClusterEvent(epochMillis, ClusterEvent.Kind.ROLE_CHANGED, member.name(), member.name() + ": "
                        + earlier.role() + " → " + member.role()));
            }
        }
        for (Member member : old.members()) {
            if (!newMembers.containsKey(member.name())) {
                events.add(new ClusterEvent(epochMillis, ClusterEvent.Kind.MEMBER_LEFT, member.name(), member.name()
                        + " left (its member key expired or was removed)"));
            }
        }
        Optional<String> oldLeader = old.leader().map(leader -> leader.name());
        Optional<String> newLeader = after.leader().map(leader -> leader.name());
        if (oldLeader.isPresent() && newLeader.isEmpty()) {
            events.add(new ClusterEvent(epochMillis, ClusterEvent.Kind.LEADER_LOST, oldLeader.get(), "the leader key of "
                    + oldLeader.get() + " is gone: an election follows"));
        } else if (newLeader.isPresent() && !newLeader.equals(oldLeader)) {
            events.add(new ClusterEvent(epochMillis, ClusterEvent.Kind.LEADER_CHANGED, newLeader.get(), newLeader.get()
                    + " is the leader" + oldLeader.map(name -> " (was " + name + ")").orElse("")));
        }
        if (old.failover().isEmpty() && after.failover().isPresent()) {
            String target = after.failover().get().candidate().map(name -> " to " + name).orElse("");
            String from = after.failover().get().leader().map(name -> " from " + name).orElse("");
            events.add(new ClusterEvent(epochMillis, ClusterEvent.Kind.SWITCHOVER_REQUESTED, after.failover().get().candidate()
                    .or(() -> after.failover().get().leader()).orElse(""), "switchover requested" + from + target
                    + after.failover().get().scheduledAt().map(at -> " at " + at).orElse("")));
        }
        if (after.history().size() > old.history().size()) {
            for (HistoryEntry entry : after.history().subList(old.history().size(), after.history().size())) {
                boolean requested = old.failover().isPresent();
                events.add(new ClusterEvent(epochMillis, requested ? ClusterEvent.Kind.SWITCHOVER_DONE : ClusterEvent.Kind.FAILOVER,
                        entry.newLeader(), (requested ? "switchover done: " : "failover: ") + entry.newLeader() + " promoted, timeline "
                        + (entry.timeline() + 1)));
            }
        }
        if (old.config().paused() != after.config().paused()) {
            events.add(new ClusterEvent(epochMillis, after.config().paused() ? ClusterEvent.Kind.PAUSED : ClusterEvent.Kind.RESUMED, "",
                    after.config().paused() ? "maintenance mode on: no automatic failover" : "maintenance mode off"));
        }
        return events;
    }
}
