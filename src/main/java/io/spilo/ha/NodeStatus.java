package io.spilo.ha;

import io.spilo.dcs.ClusterView;
import io.spilo.postgres.LocalState;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The immutable snapshot the HA loop publishes after each cycle. HTTP handlers read only this.
 *
 * @param state Patroni's member state: running, stopped, starting, creating replica, initializing new cluster, ...
 * @param role primary, replica or uninitialized
 * @param leadershipConfirmedAtNanos when leadership was last proved (monotonic), if this member leads
 * @param dcsLastSeenEpochSeconds wall-clock time of the last successful read of the store, for people
 * @param cycleCompletedAtNanos monotonic time when the last cycle ended (liveness)
 * @param configProblem why the cluster's config key cannot be used as it stands (the last good one rules meanwhile)
 * @param fence whether the fence guards this member's primary
 * @param writeProbeLatencyMillis how long the leader's last write probe took to commit
 * @param writeStalledMillis for how long the leader's commits have not reached its disk, if they have not
 * @param failsafeActive this leader stays primary without etcd because every member vouched for it
 * @param lastError the last action that failed and why (a clone refused by the primary's TLS, say),
 *     until PostgreSQL runs as a primary or a streaming replica again
 */
public record NodeStatus(
        String scope,
        String memberName,
        String state,
        String role,
        LocalState postgres,
        OptionalLong leadershipConfirmedAtNanos,
        long dcsLastSeenEpochSeconds,
        long cycleCompletedAtNanos,
        Optional<ClusterView> cluster,
        String lastDecision,
        HaSettings settings,
        Map<String, Object> tags,
        Optional<String> configProblem,
        io.spilo.fence.FenceState fence,
        OptionalLong writeProbeLatencyMillis,
        OptionalLong writeStalledMillis,
        boolean failsafeActive,
        Optional<String> lastError) {
    public NodeStatus {
        tags = Map.copyOf(tags);
    }

    /** Without a failed action to report. */
    public NodeStatus(String scope, String memberName, String state, String role, LocalState postgres,
            OptionalLong leadershipConfirmedAtNanos, long dcsLastSeenEpochSeconds, long cycleCompletedAtNanos,
            Optional<ClusterView> cluster, String lastDecision, HaSettings settings, Map<String, Object> tags,
            Optional<String> configProblem, io.spilo.fence.FenceState fence, OptionalLong writeProbeLatencyMillis,
            OptionalLong writeStalledMillis, boolean failsafeActive) {
        this(scope, memberName, state, role, postgres, leadershipConfirmedAtNanos, dcsLastSeenEpochSeconds, cycleCompletedAtNanos,
                cluster, lastDecision, settings, tags, configProblem, fence, writeProbeLatencyMillis, writeStalledMillis,
                failsafeActive, Optional.empty());
    }

    /**
     * True only while this member's leadership was confirmed less than the validity window ago
     * <em>and</em> PostgreSQL really is a running primary: the condition for {@code GET /primary}.
     */
    public boolean isConfirmedPrimary(long nowNanos) {
        return postgres.isRunningPrimary()
                && leadershipConfirmedAtNanos.isPresent()
                && nowNanos - leadershipConfirmedAtNanos.getAsLong() < settings.leadershipValidityNanos();
    }

    public boolean isReplica() {
        return postgres.isRunningReplica();
    }

    /** The loop completed a cycle recently (within ttl): the agent is alive, not stuck. */
    public boolean isLoopAlive(long nowNanos) {
        return nowNanos - cycleCompletedAtNanos < settings.timing().ttlSeconds() * 1_000_000_000L;
    }
}
