package io.spilo.ha;

import io.spilo.dcs.ClusterView;
import io.spilo.dcs.Leader;
import io.spilo.dcs.Member;
import io.spilo.postgres.LocalState;
import io.spilo.postgres.RunState;
import io.spilo.dcs.Switchover;
import io.spilo.postgres.Upstream;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.Optional;

/**
 * The HA rules as pure functions: the same inputs always give the same {@link Decision}.
 * No I/O happens here; time is the monotonic {@code nowNanos} passed in.
 */
public final class HaRules {
    private HaRules() {
    }

    /**
     * @param view the cluster as read from the store this cycle; empty when the store did not answer
     * @param memory what the loop remembers: when leadership was last proved, since when a
     *     leader's PostgreSQL is down, a recent release of the key, a failed rewind
     * @param wallNow wall-clock time, used only to compare with a scheduled switchover's time
     */
    public static Decision decide(Optional<ClusterView> view, LocalState local, HaSettings settings, AgentMemory memory,
            long nowNanos, OffsetDateTime wallNow) {
        if (memory.actionInProgress().isPresent()) {
            return decideDuringAction(memory.actionInProgress().get(), local, settings, memory, nowNanos);
        }
        if (view.isEmpty()) {
            return decideWithoutStore(local, settings, memory, nowNanos);
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
            return decideAsKeyHolder(cluster, leader.get(), local, settings, memory, nowNanos, wallNow);
        }
        if (leader.isPresent()) {
            return decideWithOtherLeader(cluster, leader.get(), local, settings, memory, nowNanos);
        }
        return decideWithoutLeader(cluster, local, settings, memory, nowNanos);
    }

    private static Decision decideWithoutStore(LocalState local, HaSettings settings, AgentMemory memory, long nowNanos) {
        if (!local.isRunningPrimary()) {
            return new Decision.Wait("etcd is not reachable: keeping the current role until it answers");
        }
        if (settings.paused()) {
            return new Decision.Wait("etcd is not reachable; paused, so the primary keeps running");
        }
        if (isLeadershipValid(settings, memory, nowNanos)) {
            return new Decision.Wait("etcd is not reachable: retrying while the leadership is still valid");
        }
        return new Decision.Demote("leadership could not be confirmed in etcd in time; stopping writes before the lease can expire");
    }

    /**
     * While a long action runs the answer is "wait for it", except the safety one: a member that
     * runs a primary, or is promoting one, without valid leadership stops PostgreSQL, whatever it
     * was doing (DESIGN §4 invariant 1). A new cluster being initialized has no leader yet and is
     * reachable by nobody, so initdb is left alone.
     */
    static Decision decideDuringAction(ActionInProgress action, LocalState local, HaSettings settings, AgentMemory memory,
            long nowNanos) {
        boolean mayTakeWrites = local.isRunningPrimary() || action.state() == MemberState.PROMOTING;
        if (mayTakeWrites && action.state() != MemberState.INITIALIZING && !settings.paused()
                && !isLeadershipValid(settings, memory, nowNanos)) {
            return new Decision.Demote("leadership could not be confirmed while " + action.description()
                    + "; stopping PostgreSQL before the lease can expire");
        }
        return new Decision.Wait("waiting for: " + action.description());
    }

    static boolean isLeadershipValid(HaSettings settings, AgentMemory memory, long nowNanos) {
        return memory.leadershipConfirmedAt().isPresent()
                && nowNanos - memory.leadershipConfirmedAt().getAsLong() < settings.leadershipValidityNanos();
    }

    /** The write probe saw no commit reach the disk for write_probe_timeout (not while paused: the operator decides then). */
    private static boolean writeStalled(HaSettings settings, AgentMemory memory, long nowNanos) {
        return !settings.paused() && settings.writeProbeTimeoutSeconds() > 0 && memory.writeStalledSince().isPresent()
                && nowNanos - memory.writeStalledSince().getAsLong() >= settings.writeProbeTimeoutNanos();
    }

    private static Decision decideAsKeyHolder(ClusterView cluster, Leader leader, LocalState local, HaSettings settings,
            AgentMemory memory, long nowNanos, OffsetDateTime wallNow) {
        if (!isLeadershipValid(settings, memory, nowNanos)) {
            // The key names this member, but no renewal proved it lives on this member's lease lately.
            return local.isRunningPrimary() && !settings.paused()
                    ? new Decision.Demote("the leader key names this member, but leadership could not be confirmed")
                    : new Decision.Wait("the leader key names this member; waiting to confirm it on this member's lease");
        }
        if (local.runState() == RunState.RUNNING) {
            if (local.inRecovery()) {
                return new Decision.PromoteHeldLeadership(leader);
            }
            if (writeStalled(settings, memory, nowNanos)) {
                return new Decision.AbandonStalledPrimary("commits have not reached this member's disk for "
                        + (nowNanos - memory.writeStalledSince().getAsLong()) / 1_000_000_000L + " s (write_probe_timeout "
                        + settings.writeProbeTimeoutSeconds() + " s)");
            }
            if (cluster.failover().isPresent()) {
                Optional<Decision> switchover = decideSwitchover(cluster, cluster.failover().get(), settings, wallNow);
                if (switchover.isPresent()) {
                    return switchover.get();
                }
            }
            return new Decision.HoldLeadership(leader);
        }
        if (!local.dataDirectoryInitialized()) {
            return new Decision.ReleaseLeadership("I hold the leader key but have no data directory");
        }
        if (settings.paused()) {
            return new Decision.Wait("paused: PostgreSQL on the leader is not running and is not restarted automatically");
        }
        boolean timedOut = settings.primaryStartTimeoutSeconds() == 0
                || (memory.primaryDownSince().isPresent()
                        && nowNanos - memory.primaryDownSince().getAsLong() >= settings.primaryStartTimeoutNanos());
        if (timedOut) {
            return new Decision.ReleaseLeadership("PostgreSQL is not running within primary_start_timeout ("
                    + settings.primaryStartTimeoutSeconds() + " s)");
        }
        if (local.runState() == RunState.STOPPED && local.lastRanAsStandby()) {
            // A standby's data must reach the primary role through promotion (a new timeline), never by a
            // restart without standby.signal: the old primary may have written past it on the same timeline.
            return new Decision.StartAsReplica(Optional.empty());
        }
        return local.runState() == RunState.STOPPED
                ? new Decision.StartAsLeader(leader)
                : new Decision.Wait("I hold the leader key; waiting for PostgreSQL to accept connections");
    }

    /**
     * The leader's reading of a switchover request: carry it out when due, clear it when it is not
     * for this leader, is stale, or has no possible candidate; nothing yet while it is scheduled
     * for later.
     */
    static Optional<Decision> decideSwitchover(
            ClusterView cluster, Switchover request, HaSettings settings, OffsetDateTime wallNow) {
        String me = settings.memberName();
        if (request.leader().isPresent() && !request.leader().get().equals(me)) {
            return Optional.of(new Decision.ClearSwitchover("it names " + request.leader().get() + " as leader, but " + me + " leads"));
        }
        if (request.scheduledAt().isPresent()) {
            OffsetDateTime due = request.scheduledAt().get();
            if (wallNow.isBefore(due)) {
                return Optional.empty();
            }
            Duration late = Duration.between(due, wallNow);
            if (late.getSeconds() > 2L * settings.timing().loopWaitSeconds() + 5) {
                return Optional.of(new Decision.ClearSwitchover("it was scheduled for " + due + " and is stale"));
            }
        }
        Optional<String> candidate = request.candidate().or(() -> bestCandidate(cluster, me));
        if (candidate.isEmpty()) {
            return Optional.of(new Decision.ClearSwitchover("no healthy replica to switch over to"));
        }
        if (candidate.get().equals(me) || cluster.member(candidate.get()).isEmpty()) {
            return Optional.of(new Decision.ClearSwitchover("candidate " + candidate.get() + " is not a replica of this cluster"));
        }
        if (settings.synchronous().enabled() && !isSynchronousStandby(cluster, candidate.get())) {
            return Optional.of(new Decision.ClearSwitchover("candidate " + candidate.get()
                    + " is not a synchronous standby, and synchronous mode is on"));
        }
        return Optional.of(new Decision.Switchover(candidate.get()));
    }

    /** Whether {@code member} is named as synchronous standby in the sync key. */
    public static boolean isSynchronousStandby(ClusterView cluster, String member) {
        return cluster.sync().map(sync -> sync.isSynchronousStandby(member)).orElse(false);
    }

    /**
     * The running replica with the most WAL that may be promoted (by its member key); in
     * synchronous mode only synchronous standbys qualify.
     */
    public static Optional<String> bestCandidate(ClusterView cluster, String leader) {
        boolean synchronous = cluster.config().synchronousMode();
        return cluster.members().stream()
                .filter(member -> !member.name().equals(leader))
                .filter(member -> !synchronous || isSynchronousStandby(cluster, member.name()))
                .filter(member -> member.state().equals("running") && !member.isPrimaryRole())
                .filter(member -> !Boolean.TRUE.equals(member.tags().get("nofailover")))
                .filter(member -> !(member.tags().get("failover_priority") instanceof Integer priority) || priority > 0)
                .max(Comparator.comparingLong(Member::walPosition).thenComparing(Member::name, Comparator.reverseOrder()))
                .map(Member::name);
    }

    private static Decision decideWithOtherLeader(
            ClusterView cluster, Leader leader, LocalState local, HaSettings settings, AgentMemory memory, long nowNanos) {
        Optional<Member> leaderMember = cluster.member(leader.name());
        Optional<Upstream> upstream = leaderMember.flatMap(member -> upstreamOf(member, settings.memberName(), settings.useSlots()));
        if (!local.dataDirectoryInitialized()) {
            return upstream.<Decision>map(source -> new Decision.CloneFromLeader(leader.name(), source))
                    .orElse(new Decision.Wait("waiting for leader " + leader.name() + " to publish its address"));
        }
        return switch (local.runState()) {
            case STOPPED -> {
                if (settings.paused()) {
                    yield new Decision.Wait("paused: PostgreSQL is stopped and is not started automatically");
                }
                if (upstream.isEmpty()) {
                    yield new Decision.StartAsReplica(Optional.empty());
                }
                int leaderTimeline = leaderMember.map(Member::timeline).orElse(0);
                // A standby stopped uncleanly is started as a standby, never rewound at once: the crash
                // recovery pg_rewind needs first would end its recovery and write WAL the leader never
                // had on the same timeline. If it did diverge it will not stream, and the stalled
                // replica rule stops it cleanly; a clean standby behind the leader's timeline is rewound.
                boolean cleanStandbyBehind = "shut down in recovery".equals(local.controlState().orElse(""))
                        && local.checkpointTimeline() > 0 && leaderTimeline > local.checkpointTimeline();
                boolean mayHaveDiverged = local.lastRanAsPrimary() || cleanStandbyBehind;
                if (!mayHaveDiverged) {
                    yield new Decision.StartAsReplica(upstream);
                }
                if (!leaderMember.map(Member::isPrimaryRole).orElse(false)) {
                    // pg_rewind from a server still in recovery would take its pre-promotion state.
                    yield new Decision.Wait("waiting for leader " + leader.name() + " to run as a primary before rewinding from it");
                }
                if (memory.rewindFailure().isPresent()) {
                    yield settings.removeDataDirectoryOnRewindFailure()
                            ? new Decision.RemoveDataDirectory(memory.rewindFailure().get())
                            : new Decision.Wait("pg_rewind failed (" + memory.rewindFailure().get() + "); staying down."
                                    + " Set postgresql.remove_data_directory_on_rewind_failure to re-clone automatically,"
                                    + " or remove the data directory to re-clone");
                }
                yield new Decision.RewindFrom(leader.name(), upstream.get());
            }
            case STARTING -> new Decision.Wait("waiting for PostgreSQL to accept connections");
            case RUNNING -> {
                if (!local.inRecovery()) {
                    yield settings.paused()
                            ? new Decision.Wait("paused: this primary does not hold the leader key, but is not demoted")
                            : new Decision.Demote(leader.name() + " holds the leader key");
                }
                if (upstream.isPresent() && !local.upstream().equals(Optional.of(hostPort(upstream.get())))) {
                    yield new Decision.FollowLeader(leader.name(), upstream.get());
                }
                if (isStalledBehindNewerTimeline(local, leaderMember, settings, memory, nowNanos)) {
                    yield new Decision.Demote("not streaming from " + leader.name() + " on its newer timeline for "
                            + settings.timing().ttlSeconds() + " s; stopping to rewind");
                }
                yield new Decision.Wait("no action: I am a replica of leader " + leader.name());
            }
        };
    }

    /**
     * A replica that does not stream while the leader runs a newer timeline may hold WAL past the
     * fork point and will never catch up: after one ttl of that, it is stopped and rewound.
     */
    static boolean isStalledBehindNewerTimeline(
            LocalState local, Optional<Member> leader, HaSettings settings, AgentMemory memory, long nowNanos) {
        boolean behindTimeline = leader.map(member -> member.timeline() > local.timeline()).orElse(false);
        return !local.streaming() && behindTimeline && memory.replicaStalledSince().isPresent()
                && nowNanos - memory.replicaStalledSince().getAsLong() >= settings.ttlNanos();
    }

    private static Decision decideWithoutLeader(
            ClusterView cluster, LocalState local, HaSettings settings, AgentMemory memory, long nowNanos) {
        if (!local.dataDirectoryInitialized()) {
            return new Decision.Wait("no leader to clone from: waiting for one");
        }
        if (local.runState() == RunState.STOPPED) {
            if (settings.paused()) {
                return new Decision.Wait("paused: PostgreSQL is stopped and is not started automatically");
            }
            if (memory.rewindFailure().isPresent()) {
                // Its data diverged from the cluster's history: it must not run, nor race, before a rewind.
                return new Decision.Wait("pg_rewind failed (" + memory.rewindFailure().get()
                        + "); staying down until there is a leader to rewind from");
            }
            return new Decision.StartAsReplica(Optional.empty());
        }
        if (local.runState() == RunState.STARTING) {
            return new Decision.Wait("waiting for PostgreSQL to accept connections");
        }
        if (settings.synchronous().enabled() && cluster.sync().isPresent()
                && !cluster.sync().get().mayBePromoted(settings.memberName())) {
            return new Decision.Wait("no leader; synchronous mode: only a synchronous standby named in the sync key ("
                    + cluster.sync().get().synchronousStandbys() + ") may be promoted");
        }
        Optional<String> requested = cluster.failover().flatMap(Switchover::candidate);
        if (requested.isPresent()) {
            if (requested.get().equals(settings.memberName())) {
                return new Decision.AcquireLeadership(true);
            }
            Optional<String> unusable = RaceRules.requestedCandidateProblem(cluster, requested.get(), settings, memory, nowNanos);
            if (unusable.isEmpty()) {
                return new Decision.Wait("no leader: " + requested.get() + " is taking over as requested");
            }
            // Otherwise a normal election follows; its winner clears the request.
        }
        if (settings.paused()) {
            return new Decision.Wait("no leader, but the cluster is paused: no automatic promotion");
        }
        if (settings.noFailover() || settings.failoverPriority() <= 0) {
            return new Decision.Wait("no leader; this member is tagged nofailover and will not be promoted");
        }
        if (memory.releasedLeadershipAt().isPresent()
                && nowNanos - memory.releasedLeadershipAt().getAsLong() < settings.ttlNanos()) {
            return new Decision.Wait("no leader; this member just gave up leadership and lets a replica take over");
        }
        if (local.inRecovery() && cluster.optime() > 0
                && cluster.optime() - local.walPosition() > settings.maximumLagOnFailover()) {
            return new Decision.Wait("no leader; this member is " + (cluster.optime() - local.walPosition())
                    + " bytes behind the last known leader position, more than maximum_lag_on_failover "
                    + settings.maximumLagOnFailover());
        }
        return new Decision.AcquireLeadership(false);
    }

    /**
     * The upstream a running member's configuration files should name: the leader's, for a replica
     * with a leader to follow; none for a primary. Empty when the files must be left alone: a
     * replica with no leader right now keeps following whom it follows until there is one.
     */
    public static Optional<Optional<Upstream>> upstreamToConfigure(ClusterView view, LocalState local, String me, boolean useSlots) {
        if (!local.inRecovery()) {
            return Optional.of(Optional.empty());
        }
        Optional<Upstream> upstream = view.leaderMember().filter(leader -> !leader.name().equals(me))
                .flatMap(leader -> upstreamOf(leader, me, useSlots));
        if (upstream.isEmpty() && local.upstream().isPresent()) {
            return Optional.empty();
        }
        return Optional.of(upstream);
    }

    /**
     * Where {@code follower} streams from when {@code member} leads, if the leader's connection URL
     * is usable. The slot on the leader is named after the follower; without slots it names none.
     */
    public static Optional<Upstream> upstreamOf(Member member, String follower, boolean useSlots) {
        return member.postgresHost().flatMap(host -> member.postgresPort()
                .map(port -> new Upstream(host, port, useSlots ? slotNameFor(follower) : "")));
    }

    /** The slot this member streams through; named after the member, as Patroni does. */
    public static String slotNameFor(String memberName) {
        return memberName.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }

    private static String hostPort(Upstream upstream) {
        return upstream.host() + ":" + upstream.port();
    }
}
