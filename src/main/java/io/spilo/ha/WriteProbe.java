package io.spilo.ha;

import io.spilo.postgres.Postgres;
import java.util.OptionalLong;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's write-path probe: one tiny commit at a time on a thread of its own (a commit on a
 * frozen disk blocks for as long as the disk does, and must never block the loop). The loop reads
 * since when no commit has completed; the rules give leadership up once that exceeds
 * {@code write_probe_timeout}.
 */
final class WriteProbe {
    private static final Logger LOG = LoggerFactory.getLogger(WriteProbe.class);

    private final Executor executor;
    private final Postgres postgres;
    private final LongSupplier nanoClock;
    // Guarded by this.
    private boolean inFlight;
    // Guarded by this. Start of the first probe since the last successful one; -1 after a success.
    private long pendingSinceNanos = -1;
    // Guarded by this.
    private long lastLatencyNanos = -1;
    // Guarded by this.
    private String lastFailure = "";

    WriteProbe(Executor executor, Postgres postgres, LongSupplier nanoClock) {
        this.executor = executor;
        this.postgres = postgres;
        this.nanoClock = nanoClock;
    }

    /**
     * On the leader's primary, each cycle: starts a probe unless one is still running, and says
     * since when commits have not completed (empty when the last probe succeeded and none is late).
     */
    synchronized OptionalLong observe(long nowNanos) {
        if (!inFlight) {
            inFlight = true;
            if (pendingSinceNanos < 0) {
                pendingSinceNanos = nowNanos;
            }
            executor.execute(this::probeOnce);
        }
        return pendingSinceNanos < 0 ? OptionalLong.empty() : OptionalLong.of(pendingSinceNanos);
    }

    /** Not a leading primary any more: what was pending no longer counts. */
    synchronized void reset() {
        pendingSinceNanos = -1;
    }

    /** How long the last successful probe's commit took, in milliseconds. */
    synchronized OptionalLong lastLatencyMillis() {
        return lastLatencyNanos < 0 ? OptionalLong.empty() : OptionalLong.of(lastLatencyNanos / 1_000_000L);
    }

    private void probeOnce() {
        long started = nanoClock.getAsLong();
        String failure = "";
        try {
            postgres.commitHeartbeat();
        } catch (RuntimeException e) {
            failure = e.getMessage() == null ? e.toString() : e.getMessage();
        }
        long finished = nanoClock.getAsLong();
        synchronized (this) {
            inFlight = false;
            if (failure.isEmpty()) {
                lastLatencyNanos = finished - started;
                pendingSinceNanos = -1;
            } else if (!failure.equals(lastFailure)) {
                LOG.warn("{}", failure);
            }
            lastFailure = failure;
        }
    }
}
