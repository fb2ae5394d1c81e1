package io.spilo.proxy;

import io.spilo.config.TimingSettings;

/**
 * Health-check timing derived from the cluster's ttl, so that HAProxy marks a silent primary down
 * well before its lease can expire (DESIGN §4 invariant 1): a server is down after
 * {@code fall} failed checks, each at most {@code interval + timeout} apart.
 */
public record HaproxyTiming(int intervalMillis, int timeoutMillis, int fall) {
    /**
     * Interval and check timeout of min(ttl/8, retry_timeout/3), between 0.25 and 2 s; two failures
     * mark a server down. Two guarantees follow (checked in tests for the timing rule's range):
     * a primary whose agent falls silent is down within 4 steps, at most ttl/2, well before its
     * lease (renewed every loop_wait) runs out; a primary whose agent answers 503 because its
     * leadership is unconfirmed is down within 2 steps, less than retry_timeout, the margin left
     * between the end of confirmed leadership (at most ttl - retry_timeout) and the lease.
     */
    public static HaproxyTiming forCluster(TimingSettings timing) {
        long fromTtl = timing.ttlSeconds() * 1000L / 8;
        long fromRetry = timing.retryTimeoutSeconds() * 1000L / 3;
        int step = (int) Math.max(250, Math.min(2000, Math.min(fromTtl, fromRetry)));
        return new HaproxyTiming(step, step, 2);
    }

    /**
     * How long an HAProxy worker replaced by a reload may keep its sessions ({@code hard-stop-after}):
     * old workers run no health checks, so a session they hold to a deposed primary would otherwise
     * live on for the 30-minute client timeout. As long as a silent primary takes to be marked down,
     * which is at most ttl/2.
     */
    public int hardStopAfterMillis() {
        return worstCaseDetectionMillis();
    }

    /** The longest time from a primary's agent answering 503 to HAProxy marking it down. */
    public int worstCaseUnconfirmedDetectionMillis() {
        return fall * intervalMillis;
    }

    /** The longest time from a primary falling silent to HAProxy marking it down. */
    public int worstCaseDetectionMillis() {
        return fall * (intervalMillis + timeoutMillis);
    }
}
