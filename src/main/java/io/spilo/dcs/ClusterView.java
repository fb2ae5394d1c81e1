package io.spilo.dcs;

import java.util.List;
import java.util.Optional;

/**
 * An immutable snapshot of everything under the cluster prefix, read at one etcd revision.
 *
 * @param initialize the {@code initialize} key: empty when absent; an empty string while a
 *     member is bootstrapping; the database system identifier once the cluster exists
 * @param optime the leader's last published WAL position ({@code status.optime}), 0 if unknown
 */
public record ClusterView(
        Optional<String> initialize,
        Optional<Leader> leader,
        List<Member> members,
        DynamicConfig config,
        boolean configPresent,
        long optime,
        List<HistoryEntry> history,
        Optional<SyncState> sync,
        Optional<Switchover> failover,
        long revision) {
    public ClusterView {
        members = List.copyOf(members);
        history = List.copyOf(history);
    }

    public Optional<Member> member(String name) {
        return members.stream().filter(member -> member.name().equals(name)).findFirst();
    }

    public Optional<Member> leaderMember() {
        return leader.flatMap(current -> member(current.name()));
    }

    public boolean isLeader(String name) {
        return leader.map(current -> current.name().equals(name)).orElse(false);
    }
}
