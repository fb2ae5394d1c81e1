package io.spilo.ha;

import io.spilo.config.SpiloConfig;
import io.spilo.dcs.Dcs;
import io.spilo.dcs.DynamicConfig;
import io.spilo.dcs.LeaseState;
import io.spilo.postgres.Postgres;
import io.spilo.postgres.PostgresException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bootstrap of a new cluster by this member: claim {@code initialize}, make the data (initdb
 * or a restore, on the long-action thread), then on the loop thread take the leader key and
 * publish the cluster's identity. Any failure undoes it all, and the next attempt waits
 * loop_wait. Owned by the loop thread.
 */
final class ClusterBootstrap {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterBootstrap.class);

    private final SpiloConfig config;
    private final Dcs dcs;
    private final Postgres postgres;
    private final LoopState state;
    private final PrimaryDuties duties;
    private final LongActionRunner runner;
    private final Runnable wakeUp;
    private boolean failed;
    private OptionalLong nextAttemptNanos = OptionalLong.empty();

    ClusterBootstrap(SpiloConfig config, Dcs dcs, Postgres postgres, LoopState state, PrimaryDuties duties, LongActionRunner runner,
            Runnable wakeUp) {
        this.config = config;
        this.dcs = dcs;
        this.postgres = postgres;
        this.state = state;
        this.duties = duties;
        this.runner = runner;
        this.wakeUp = wakeUp;
    }

    private Duration startTimeout() {
        return Duration.ofSeconds(config.postgres().startTimeoutSeconds());
    }

    void start(Cycle cycle) {
        // Releasing initialize after a failure is an etcd event that wakes the loop at once: without
        // this pause a bootstrap that fails at once (a restore no backup can serve) would run in a tight loop.
        if (failed) {
            failed = false;
            nextAttemptNanos = OptionalLong.of(cycle.nowNanos() + Duration.ofSeconds(cycle.settings().timing().loopWaitSeconds()).toNanos());
        }
        if (nextAttemptNanos.isPresent() && cycle.nowNanos() - nextAttemptNanos.getAsLong() < 0) {
            return;
        }
        if (!dcs.createInitialize("")) {
            LOG.info("another member is bootstrapping the cluster");
            return;
        }
        Map<String, String> parameters = duties.parameters(cycle);
        NewClusterData data = new NewClusterData(postgres, config.bootstrap(), startTimeout());
        if (!runner.submit(MemberState.INITIALIZING, data.description(), () -> {
            data.create(parameters);
            return (view, lease) -> finish(lease);
        }, this::abandon)) {
            LOG.warn("not {}: another long action is in progress", data.description());
        }
    }

    /** On the loop thread, once PostgreSQL runs: take the key, then publish the cluster's identity. */
    private void finish(Optional<LeaseState> lease) {
        try {
            if (lease.isEmpty()) {
                throw new PostgresException("etcd did not answer when the new cluster was ready");
            }
            if (!dcs.attemptToAcquireLeader()) {
                throw new PostgresException("the leader key was taken while this member bootstrapped the cluster");
            }
            state.memory = state.memory.withLeadershipConfirmedAt(OptionalLong.of(lease.get().renewedAtNanos()));
            String systemIdentifier = postgres.state().systemIdentifier()
                    .orElseThrow(() -> new PostgresException("cannot read the system identifier of the new cluster"));
            dcs.createConfig(DynamicConfig.ofBootstrap(config.bootstrap()));
            dcs.replaceInitialize("", systemIdentifier);
            LOG.info("bootstrapped a new cluster, system identifier {}", systemIdentifier);
            wakeUp.run();
        } catch (RuntimeException e) {
            abandon(e);
        }
    }

    /**
     * Any failure of a bootstrap (initdb or restore, start, a timeout, the store) undoes it and
     * releases {@code initialize}, so another member (or this one, after loop_wait) can bootstrap:
     * nobody waits forever.
     */
    private void abandon(RuntimeException failure) {
        LOG.error("bootstrap failed, cleaning up so that it can be retried after loop_wait: {}", failure.getMessage());
        failed = true;
        state.memory = state.memory.withLeadershipConfirmedAt(OptionalLong.empty());
        List<Runnable> cleanup = List.of(() -> postgres.stop(startTimeout()), postgres::removeDataDirectory,
                dcs::deleteLeader, () -> dcs.cancelInitialize(""));
        for (Runnable step : cleanup) {
            try {
                step.run();
            } catch (RuntimeException e) {
                LOG.error("cleanup after the failed bootstrap: {}", e.getMessage());
            }
        }
    }
}
