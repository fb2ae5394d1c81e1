package io.spilo.config;

/**
 * The three timings that keep a primary from outliving its lease (DESIGN §4 invariant 1): a leader
 * that cannot renew within {@code retryTimeout} demotes, and must have done so before the lease
 * ({@code ttl}) can expire, allowing for one full loop and the retry itself.
 */
public record TimingSettings(int ttlSeconds, int loopWaitSeconds, int retryTimeoutSeconds) {
    public static final TimingSettings PATRONI_DEFAULTS = new TimingSettings(30, 10, 10);

    /**
     * Spilo's defaults, used where the configuration sets nothing. A crashed primary's lease runs
     * out after at most 8 s, so a replica is promoted in about 9 s; a healthy leader renews every
     * 2 s and only demotes after 5 s (loop_wait + retry_timeout) without a successful renewal, which
     * takes more than two consecutive missed renewals: a loaded LAN does not cause that.
     */
    public static final TimingSettings SPILO_DEFAULTS = new TimingSettings(8, 2, 3);

    /** Throws when the settings break {@code loop_wait + 2 * retry_timeout <= ttl} or are not positive. */
    /**
     * The deadline of one etcd call: a third of retry_timeout (0.5 to 3 s), so a leader whose store
     * hangs notices within its leadership window and demotes before the lease can expire.
     */
    public java.time.Duration etcdCallTimeout() {
        return java.time.Duration.ofMillis(Math.max(500, Math.min(retryTimeoutSeconds * 1000L / 3, 3000)));
    }

    public TimingSettings validated(String path) {
        if (ttlSeconds < 2) {
            throw new ConfigException(path + "ttl: " + ttlSeconds + " is too small (at least 2 seconds)");
        }
        if (loopWaitSeconds < 1) {
            throw new ConfigException(path + "loop_wait: " + loopWaitSeconds + " must be at least 1 second");
        }
        if (retryTimeoutSeconds < 1) {
            throw new ConfigException(path + "retry_timeout: " + retryTimeoutSeconds + " must be at least 1 second");
        }
        if (loopWaitSeconds + 2 * retryTimeoutSeconds > ttlSeconds) {
            throw new ConfigException(path + "ttl: loop_wait + 2 * retry_timeout must not exceed ttl, but "
                    + loopWaitSeconds + " + 2 * " + retryTimeoutSeconds + " > " + ttlSeconds
                    + "; raise ttl or lower loop_wait/retry_timeout");
        }
        return this;
    }
}
