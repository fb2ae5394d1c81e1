package io.spilo.ha;

import io.spilo.dcs.ClusterView;
import io.spilo.dcs.Leader;
import io.spilo.dcs.Member;
import io.spilo.postgres.LocalState;
import io.spilo.postgres.RunState;
import io.spilo.postgres.Upstream;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The HA rules as one pure function: the same inputs always give the same {@link Decision}.
 * No I/O happens here; time is the monotonic {@code nowNanos} passed in.
 */
public final class HaRules {
    private HaRules() {
    }

    /**
     * @param view the cluster as read from the store this cycle; empty when the store did not answer
     * @param leadershipConfirmedAtNanos when this member last proved it holds the leader key on a
     *     live lease (the moment the renewal was sent); empty if it never did or lost it
     */
    public static Decision decide(
            Optional<ClusterView> view,
            LocalState local,
            HaSettings settings,
            OptionalLong leadershipConfirmedAtNanos,
            long nowNanos) {
        if (view.isEmpty()) {
            return decideWithoutStore(local, settings, leadershipConfirmedAtNanos, nowNanos);
        }
        ClusterView cluster = view.get();
        String me = settings.memberName();

        if (cluster.initialize().isEmpty()) {
            if (!local.dataDirectoryInitialized()) {
                return new Decision.Bootstrap();
            }
            return local.systemIdentifier()
                    .<Decision>map(Decision.ClaimCluster::new)
                    .orElse(new Decision.Wait("cluster not initialized and the local system identifier is unreadable"));
        }
        String clusterIdentifier = cluster.initialize().get();
        if (clusterIdentifier.isEmpty() && cluster.leader().isEmpty()) {
            return new Decision.Wait("waiting for another member to finish bootstrapping the cluster");
        }
        if (!clusterIdentifier.isEmpty() && local.systemIdentifier().isPresent()
                && !local.systemIdentifier().get().equals(clusterIdentifier)) {
            return new Decision.Wait("the data directory belongs to another cluster (system identifier "
                    + local.systemIdentifier().get() + ", cluster " + clusterIdentifier
                    + "); move it away to let this member clone the cluster");
        }

        Optional<Leader> leader = cluster.leader();
        if (leader.isPresent() && leader.get().name().equals(me)) {
            return decideAsKeyHolder(leader.get(), local);
        }
        if (leader.isPresent()) {
            return decideWithOtherLeader(cluster, leader.get(), local, me);
        }
        return decideWithoutLeader(cluster, local, settings);
    }

    private static Decision decideWithoutStore(
            LocalState local, HaSettings settings, OptionalLong confirmedAt, long nowNanos) {
        if (!local.isRunningPrimary()) {
            return new Decision.Wait("etcd is not reachable: keeping the current role until it answers");
        }
        if (settings.paused()) {
            return new Decision.Wait("etcd is not reachable; paused, so the primary keeps running");
        }
        if (confirmedAt.isPresent() && nowNanos - confirmedAt.getAsLong() < settings.leadershipValidityNanos()) {
            return new Decision.Wait("etcd is not reachable: retrying while the leadership is still valid");
        }
        return new Decision.Demote(Optional.empty(),
                "leadership could not be confirmed in etcd in time; stopping writes before the lease can expire");
    }

    private static Decision decideAsKeyHolder(Leader leader, LocalState local) {
        return switch (local.runState()) {
            case RUNNING -> local.inRecovery()
                    ? new Decision.PromoteHeldLeadership(leader)
                    : new Decision.HoldLeadership(leader);
            case STARTING -> new Decision.Wait("I hold the leader key; waiting for PostgreSQL to accept connections");
            case STOPPED -> local.dataDirectoryInitialized()
                    ? new Decision.StartAsLeader(leader)
                    : new Decision.Wait("I hold the leader key but have no data directory");
        };
    }

    private static Decision decideWithOtherLeader(ClusterView cluster, Leader leader, LocalState local, String me) {
        Optional<Upstream> upstream = cluster.member(leader.name()).flatMap(member -> upstreamOf(member, me));
        if (!local.dataDirectoryInitialized()) {
            return upstream.<Decision>map(source -> new Decision.CloneFromLeader(leader.name(), source))
                    .orElse(new Decision.Wait("waiting for leader " + leader.name() + " to publish its address"));
        }
        return switch (local.runState()) {
            case STOPPED -> new Decision.StartAsReplica(upstream);
            case STARTING -> new Decision.Wait("waiting for PostgreSQL to accept connections");
            case RUNNING -> {
                if (!local.inRecovery()) {
                    yield new Decision.Demote(upstream, leader.name() + " holds the leader key");
                }
                if (upstream.isPresent() && !local.upstream().equals(Optional.of(hostPort(upstream.get())))) {
                    yield new Decision.FollowLeader(leader.name(), upstream.get());
                }
                yield new Decision.Wait("no action: I am a replica of leader " + leader.name());
            }
        };
    }

    private static Decision decideWithoutLeader(ClusterView cluster, LocalState local, HaSettings settings) {
        if (!local.dataDirectoryInitialized()) {
            return new Decision.Wait("no leader to clone from: waiting for one");
        }
        if (local.runState() == RunState.STOPPED) {
            return new Decision.StartAsReplica(Optional.empty());
        }
        if (local.runState() == RunState.STARTING) {
            return new Decision.Wait("waiting for PostgreSQL to accept connections");
        }
        if (settings.paused()) {
            return new Decision.Wait("no leader, but the cluster is paused: no automatic promotion");
        }
        if (settings.noFailover() || settings.failoverPriority() <= 0) {
            return new Decision.Wait("no leader; this member is tagged nofailover and will not be promoted");
        }
        if (local.inRecovery() && cluster.optime() > 0
                && cluster.optime() - local.walPosition() > settings.maximumLagOnFailover()) {
            return new Decision.Wait("no leader; this member is " + (cluster.optime() - local.walPosition())
                    + " bytes behind the last known leader position, more than maximum_lag_on_failover "
                    + settings.maximumLagOnFailover());
        }
        return new Decision.AcquireLeadership();
    }

    /**
     * Where {@code follower} streams from when {@code member} leads, if the leader's connection URL
     * is usable. The slot on the leader is named after the follower.
     */
    public static Optional<Upstream> upstreamOf(Member member, String follower) {
        return member.postgresHost().flatMap(host -> member.postgresPort()
                .map(port -> new Upstream(host, port, slotNameFor(follower))));
    }

    /** The slot this member streams through; named after the member, as Patroni does. */
    public static String slotNameFor(String memberName) {
        return memberName.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }

    private static String hostPort(Upstream upstream) {
        return upstream.host() + ":" + upstream.port();
    }
}
