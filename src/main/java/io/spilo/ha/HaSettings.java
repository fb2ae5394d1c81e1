package io.spilo.ha;

import io.spilo.config.TimingSettings;

/**
 * What the rules need to know about this member and the cluster's timing.
 *
 * @param maximumLagOnFailover bytes a replica may trail {@code status.optime} and still be promoted
 * @param primaryStartTimeoutSeconds how long a crashed primary may take to run again before the
 *     leader key is released; 0 releases it at once
 * @param removeDataDirectoryOnRewindFailure re-clone when pg_rewind fails, instead of staying down
 * @param useSlots replicas stream through a slot named after them ({@code postgresql.use_slots});
 *     without slots they must not name one, or streaming fails with "slot does not exist"
 * @param writeProbeTimeoutSeconds how long the leader's commits may stall on its disk before it
 *     gives leadership up; 0: never
 * @param failsafeMode while etcd cannot be reached, the leader stays primary as long as every member
 *     of the last known membership answers its {@code POST /failsafe}
 */
public record HaSettings(
        String memberName,
        TimingSettings timing,
        long maximumLagOnFailover,
        boolean noFailover,
        int failoverPriority,
        boolean paused,
        int primaryStartTimeoutSeconds,
        boolean removeDataDirectoryOnRewindFailure,
        Synchronous synchronous,
        boolean useSlots,
        int writeProbeTimeoutSeconds,
        boolean failsafeMode) {
    /** Synchronous replication settings: off, or on with a number of standbys and an optional lag limit. */
    public record Synchronous(boolean enabled, boolean strict, int nodeCount, long maximumLagOnSyncnode) {
        public static final Synchronous OFF = new Synchronous(false, false, 1, -1);
    }

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    public long primaryStartTimeoutNanos() {
        return primaryStartTimeoutSeconds * NANOS_PER_SECOND;
    }

    public long writeProbeTimeoutNanos() {
        return writeProbeTimeoutSeconds * NANOS_PER_SECOND;
    }

    public long ttlNanos() {
        return timing.ttlSeconds() * NANOS_PER_SECOND;
    }

    /**
     * How long a confirmed leadership stays valid for answering {@code GET /primary} and for
     * staying primary while the store does not answer: {@code loop_wait + retry_timeout}, the time
     * by which the next renewal was due plus the retry budget (Patroni demotes when its retries
     * for that renewal run out). The timing rule {@code loop_wait + 2 * retry_timeout <= ttl}
     * leaves at least {@code retry_timeout} after it for the demotion and for health checks to
     * notice, before the lease can expire.
     */
    public long leadershipValidityNanos() {
        return (long) (timing.loopWaitSeconds() + timing.retryTimeoutSeconds()) * NANOS_PER_SECOND;
    }
}
