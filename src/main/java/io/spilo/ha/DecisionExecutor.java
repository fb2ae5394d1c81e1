package io.spilo.ha;

import io.spilo.config.SpiloConfig;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.Dcs;
import io.spilo.dcs.DynamicConfig;
import io.spilo.dcs.HistoryEntry;
import io.spilo.dcs.LeaseState;
import io.spilo.dcs.SyncState;
import io.spilo.postgres.LocalState;
import io.spilo.postgres.Postgres;
import io.spilo.postgres.PostgresException;
import io.spilo.postgres.Upstream;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out a {@link Decision}: short steps inline on the loop thread, long ones (initdb, clone,
 * rewind, start, promote) on the {@link LongActionRunner}. The rules already checked every guard;
 * this class only acts.
 */
final class DecisionExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(DecisionExecutor.class);
    private static final Duration CLONE_TIMEOUT = Duration.ofHours(6);
    /** Patroni's history timestamps: ISO 8601 with microseconds and a numeric offset. */
    private static final DateTimeFormatter HISTORY_TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx");

    private final SpiloConfig config;
    private final Dcs dcs;
    private final Postgres postgres;
    private final PeerProbe peers;
    private final LongActionRunner runner;
    private final LoopState state;
    private final PrimaryDuties duties;
    private final SwitchoverProcedure switchover;
    private final FenceKeeper fence;
    private final Failsafe failsafe;
    private final Clock wallClock;
    private final Runnable wakeUp;
    private final Map<Class<? extends Decision>, BiConsumer<Decision, Cycle>> handlers = new LinkedHashMap<>();
    private final ClusterBootstrap bootstrap;

    DecisionExecutor(SpiloConfig config, Dcs dcs, Postgres postgres, PeerProbe peers, LongActionRunner runner,
            LoopState state, PrimaryDuties duties, SwitchoverProcedure switchover, FenceKeeper fence, Failsafe failsafe,
            Clock wallClock, Runnable wakeUp) {
        this.fence = fence;
        this.failsafe = failsafe;
        this.config = config;
        this.dcs = dcs;
        this.postgres = postgres;
        this.peers = peers;
        this.runner = runner;
        this.state = state;
        this.duties = duties;
        this.switchover = switchover;
        this.wallClock = wallClock;
        this.wakeUp = wakeUp;
        this.bootstrap = new ClusterBootstrap(config, dcs, postgres, state, duties, runner, wakeUp);
        on(Decision.Bootstrap.class, (decision, cycle) -> bootstrap.start(cycle));
        on(Decision.ClaimCluster.class, this::claimCluster);
        on(Decision.CloneFromLeader.class, this::cloneFromLeader);
        on(Decision.StartAsReplica.class, (decision, cycle) -> startAsReplica(decision.upstream(), cycle));
        on(Decision.RewindFrom.class, this::rewind);
        on(Decision.RemoveDataDirectory.class, (decision, cycle) -> removeDataDirectory());
        on(Decision.FollowLeader.class, (decision, cycle) -> {
            postgres.writeConfiguration(true, Optional.of(decision.upstream()), duties.parameters(cycle));
            postgres.reload();
        });
        on(Decision.HoldLeadership.class, (decision, cycle) -> duties.perform(cycle));
        on(Decision.PromoteHeldLeadership.class, (decision, cycle) -> promoteHeldLeadership(cycle));
        on(Decision.StartAsLeader.class, (decision, cycle) -> startAsLeader(cycle));
        on(Decision.ReleaseLeadership.class, (decision, cycle) -> releaseLeadership(cycle));
        on(Decision.AcquireLeadership.class, (decision, cycle) -> acquireLeadership(cycle, decision.designated()));
        on(Decision.Switchover.class, (decision, cycle) -> switchover.start(cycle, decision.candidate()));
        on(Decision.ClearSwitchover.class, (decision, cycle) -> {
            dcs.clearSwitchoverAsLeader();
            wakeUp.run();
        });
        on(Decision.Demote.class, (decision, cycle) -> demote());
        on(Decision.AbandonStalledPrimary.class, (decision, cycle) -> abandonStalledPrimary(cycle));
        on(Decision.Wait.class, (decision, cycle) -> {
        });
    }

    private <D extends Decision> void on(Class<D> kind, BiConsumer<D, Cycle> handler) {
        handlers.put(kind, (decision, cycle) -> handler.accept(kind.cast(decision), cycle));
    }

    /** The decisions this executor can carry out: every permitted subclass of {@link Decision}. */
    Set<Class<? extends Decision>> handledDecisions() {
        return handlers.keySet();
    }

    void execute(Decision decision, Cycle cycle) {
        BiConsumer<Decision, Cycle> handler = handlers.get(decision.getClass());
        if (handler == null) {
            throw new IllegalStateException("no executor for " + decision);
        }
        handler.accept(decision, cycle);
    }

    private Duration startTimeout() {
        return Duration.ofSeconds(config.postgres().startTimeoutSeconds());
    }

    private void claimCluster(Decision.ClaimCluster claim, Cycle cycle) {
        if (dcs.createInitialize(claim.systemIdentifier())) {
            dcs.createConfig(DynamicConfig.ofBootstrap(config.bootstrap()));
            wakeUp.run();
        }
    }

    private void cloneFromLeader(Decision.CloneFromLeader clone, Cycle cycle) {
        Map<String, String> parameters = duties.parameters(cycle);
        submit(MemberState.CREATING_REPLICA, clone.description(), () -> {
            postgres.cloneFrom(clone.upstream(), CLONE_TIMEOUT);
            postgres.writeConfiguration(true, Optional.of(clone.upstream()), parameters);
            postgres.start(startTimeout());
            return LongActionRunner.FollowUp.NONE;
        }, failure -> LOG.error("creating a replica failed: {}", failure.getMessage()));
    }

    private void startAsReplica(Optional<Upstream> upstream, Cycle cycle) {
        postgres.writeConfiguration(true, upstream, duties.parameters(cycle));
        submit(MemberState.STARTING, "starting as a replica", () -> {
            postgres.start(startTimeout());
            return LongActionRunner.FollowUp.NONE;
        }, failure -> LOG.error("starting PostgreSQL failed: {}", failure.getMessage()));
    }

    /** Marks a failure of pg_rewind itself, as opposed to the start after it. */
    private static final class RewindFailed extends RuntimeException {
        RewindFailed(PostgresException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private void rewind(Decision.RewindFrom rewind, Cycle cycle) {
        Map<String, String> parameters = duties.parameters(cycle);
        submit(MemberState.REWINDING, rewind.description(), () -> {
            try {
                postgres.rewind(rewind.upstream(), CLONE_TIMEOUT);
            } catch (PostgresException e) {
                // The source not answering is retried next cycle; pg_rewind refusing is remembered.
                throw e.isTransient() ? e : new RewindFailed(e);
            }
            postgres.writeConfiguration(true, Optional.of(rewind.upstream()), parameters);
            postgres.start(startTimeout());
            return (view, lease) -> state.memory = state.memory.withRewindFailure(Optional.empty());
        }, failure -> {
            if (failure instanceof RewindFailed) {
                state.memory = state.memory.withRewindFailure(Optional.of(failure.getMessage()));
                state.rewindFailedAgainst = Optional.of(rewind.leaderName());
            }
            LOG.error("rewinding failed: {}", failure.getMessage());
        });
    }

    private void removeDataDirectory() {
        postgres.removeDataDirectory();
        state.memory = state.memory.withRewindFailure(Optional.empty());
        wakeUp.run();
    }

    private void startAsLeader(Cycle cycle) {
        LOG.info("PostgreSQL is not running on the leader: starting it in place");
        if (!armFence(cycle)) {
            return;
        }
        postgres.writeConfiguration(false, Optional.empty(), duties.parameters(cycle));
        // Not waiting: the loop keeps renewing the leader key while PostgreSQL recovers.
        postgres.startInBackground();
        wakeUp.run();
    }

    private void releaseLeadership(Cycle cycle) {
        state.memory = state.memory.withLeadershipConfirmedAt(OptionalLong.empty())
                .withReleasedLeadershipAt(OptionalLong.of(cycle.nowNanos()));
        postgres.stop(startTimeout());
        dcs.deleteLeader();
    }

    /** Killed before the key goes: no replica is promoted while this primary could still acknowledge a commit. */
    private void abandonStalledPrimary(Cycle cycle) {
        state.memory = state.memory.withLeadershipConfirmedAt(OptionalLong.empty())
                .withReleasedLeadershipAt(OptionalLong.of(cycle.nowNanos()));
        state.synchronousStandbyNames = Optional.empty();
        postgres.killImmediately();
        dcs.deleteLeader();
        wakeUp.run();
    }

    private void demote() {
        state.memory = state.memory.withLeadershipConfirmedAt(OptionalLong.empty());
        state.synchronousStandbyNames = Optional.empty();
        postgres.stop(startTimeout());
        wakeUp.run();
    }

    private void acquireLeadership(Cycle cycle, boolean designated) {
        ClusterView view = cycle.view().orElseThrow();
        LocalState local = cycle.local();
        HaSettings settings = cycle.settings();
        Optional<String> vouchedFor = failsafe.reasonNotToRace(cycle.nowNanos(), settings);
        if (vouchedFor.isPresent()) {
            LOG.info("not racing for the leader key: {}", vouchedFor.get());
            return;
        }
        if (!designated) {
            Optional<String> stepBack = RaceRules.reasonToStepBack(local.walPosition(), local.isRunningPrimary(), settings,
                    peers.probe(RaceRules.peersToCompare(view, settings)));
            if (stepBack.isPresent()) {
                LOG.info("not racing for the leader key: {}", stepBack.get());
                return;
            }
        }
        if (!dcs.attemptToAcquireLeader()) {
            LOG.info("another member acquired the leader key first");
            wakeUp.run();
            return;
        }
        state.memory = state.memory.withLeadershipConfirmedAt(OptionalLong.of(cycle.lease().orElseThrow().renewedAtNanos()));
        LOG.info("acquired the leader key");
        Map<String, String> parameters = duties.parameters(cycle);
        if (!takeOverSyncKey(cycle, parameters)) {
            LOG.error("the sync key changed while taking over; giving the leader key back");
            dcs.deleteLeader();
            state.memory = state.memory.withLeadershipConfirmedAt(OptionalLong.empty());
            return;
        }
        if (view.failover().isPresent()) {
            dcs.clearSwitchoverAsLeader();
        }
        if (local.inRecovery()) {
            promote(cycle, parameters);
        }
        wakeUp.run();
    }

    /**
     * The key is this member's but PostgreSQL is a standby: the acquiring transaction committed but
     * its answer was lost, or the agent died between taking the key and promoting. Like every
     * promotion path, it takes the sync key over before promoting.
     */
    private void promoteHeldLeadership(Cycle cycle) {
        Map<String, String> parameters = duties.parameters(cycle);
        if (!takeOverSyncKey(cycle, parameters)) {
            LOG.warn("the sync key changed while taking it over; trying again next cycle");
            wakeUp.run();
            return;
        }
        promote(cycle, parameters);
    }

    /**
     * In synchronous mode, before any commit on the new timeline, the sync key names this member and
     * no standby, so none may be promoted until it acknowledges this leader's commits (DESIGN §4
     * invariant 2); PostgreSQL will run with no synchronous standby ({@code *} in strict mode).
     * False when the compare-and-set lost.
     */
    private boolean takeOverSyncKey(Cycle cycle, Map<String, String> parameters) {
        HaSettings.Synchronous synchronous = cycle.settings().synchronous();
        if (!synchronous.enabled()) {
            return true;
        }
        long revision = cycle.view().orElseThrow().sync().map(SyncState::modRevision).orElse(0L);
        if (!dcs.writeSync(new SyncState(Optional.of(config.name()), List.of(), 0), revision)) {
            return false;
        }
        state.synchronousStandbyNames = Optional.of(synchronous.strict() ? List.of("*") : List.of());
        // No standby is confirmed until PrimaryDuties has enabled it by name and recorded the position.
        state.standbyNamesEnabledAt = Long.MAX_VALUE;
        parameters.put("synchronous_standby_names", SynchronousPlan.render(state.synchronousStandbyNames.get()));
        return true;
    }

    /** Promotes on the executor; the loop keeps renewing the key meanwhile and publishes "promoting". */
    private void promote(Cycle cycle, Map<String, String> parameters) {
        long positionBefore = cycle.local().walPosition();
        boolean strict = cycle.settings().synchronous().enabled() && cycle.settings().synchronous().strict();
        if (!armFence(cycle)) {
            return;
        }
        submit(MemberState.PROMOTING, "promoting PostgreSQL", () -> {
            if (strict) {
                // '*' must hold from the first commit on the new timeline: set it while still a
                // standby (where it is ignored), not after the promotion.
                postgres.writeConfiguration(true, Optional.empty(), parameters);
                postgres.reload();
            }
            postgres.promote(startTimeout());
            postgres.writeConfiguration(false, Optional.empty(), parameters);
            postgres.reload();
            // The control file shows the new timeline only after a checkpoint; pg_rewind on the old
            // primary reads it there, and would otherwise see "same timeline, no rewind required".
            postgres.checkpoint();
            int timeline = postgres.state().timeline();
            return (view, lease) -> recordPromotion(view, timeline, positionBefore);
        }, failure -> LOG.error("promotion failed: {}", failure.getMessage()));
    }

    private void recordPromotion(Optional<ClusterView> view, int timeline, long positionBefore) {
        LOG.info("promoted to primary on timeline {}", timeline);
        if (view.isEmpty()) {
            return;
        }
        List<HistoryEntry> history = new ArrayList<>(view.get().history());
        history.add(new HistoryEntry(Math.max(1, timeline - 1), positionBefore, "no recovery target specified",
                OffsetDateTime.now(wallClock.withZone(ZoneOffset.UTC)).format(HISTORY_TIMESTAMP), config.name()));
        dcs.writeHistory(history);
    }

    private void submit(MemberState memberState, String description, LongActionRunner.Work work,
            java.util.function.Consumer<RuntimeException> onFailure) {
        if (!runner.submit(memberState, description, work, onFailure)) {
            LOG.warn("not {}: another long action is in progress", description);
        }
    }

    /**
     * Before PostgreSQL runs as primary: the fence must already guard this leadership window. When a
     * required fence (watchdog.mode: required) cannot be armed, the leader key goes back instead.
     */
    private boolean armFence(Cycle cycle) {
        if (fence.armForPrimary(state.memory, cycle.local(), cycle.settings(), cycle.nowNanos())) {
            return true;
        }
        LOG.error("the required fence cannot be armed (see the watchdog messages): giving the leader key back");
        state.memory = state.memory.withLeadershipConfirmedAt(OptionalLong.empty());
        dcs.deleteLeader();
        wakeUp.run();
        return false;
    }
}
