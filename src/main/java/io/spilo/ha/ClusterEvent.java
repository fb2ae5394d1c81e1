package io.spilo.ha;

/**
 * Something that happened to the cluster, as one agent saw it in etcd: when (epoch milliseconds,
 * this agent's clock), what kind, which member, and a sentence for people.
 */
public record ClusterEvent(long epochMillis, Kind kind, String member, String text) {
    public enum Kind {
        MEMBER_JOINED, MEMBER_LEFT, LEADER_LOST, LEADER_CHANGED, SWITCHOVER_REQUESTED, SWITCHOVER_DONE, FAILOVER, ROLE_CHANGED,
        PAUSED, RESUMED
    }
}
