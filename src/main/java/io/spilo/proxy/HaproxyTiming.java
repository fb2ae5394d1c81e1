package io.spilo.proxy;

import io.spilo.config.TimingSettings;

/**
 * Health-check timing derived from the cluster's ttl, so that HAProxy marks a silent primary down
 * well before its lease can expire (DESIGN §4 invariant 1): a server is down after
 * {@code fall} failed checks, each at most {@code interval + timeout} apart.
 */
public record HaproxyTiming(int intervalMillis, int timeoutMillis, int fall) {
    /** Interval and check timeout ttl/8 each (0.5 to 2 s), two failures to mark down: at most 3/8 of ttl. */
    public static HaproxyTiming forCluster(TimingSettings timing) {
        int step = (int) Math.max(500, Math.min(2000, timing.ttlSeconds() * 1000L / 8));
        return new HaproxyTiming(step, step, 2);
    }

    /** The longest time from a primary falling silent to HAProxy marking it down. */
    public int worstCaseDetectionMillis() {
        return fall * (intervalMillis + timeoutMillis);
    }
}
