package io.spilo.ha;

import io.spilo.dcs.LastConfigStore;
import io.spilo.config.SpiloConfig;
import io.spilo.config.TimingSettings;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.Dcs;
import io.spilo.dcs.DcsException;
import io.spilo.dcs.DynamicConfig;
import io.spilo.dcs.Leader;
import io.spilo.dcs.LeaseState;
import io.spilo.fence.Fence;
import io.spilo.postgres.LocalState;
import io.spilo.postgres.Postgres;
import io.spilo.postgres.PostgresException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's one stateful thread. Each cycle: observe (read the store, renew the lease, probe
 * PostgreSQL, take a finished long action) → decide ({@link HaRules}, pure) → execute
 * ({@link DecisionExecutor}; long work on the {@link LongActionRunner}) → publish (member key,
 * {@link NodeStatus}). Nothing in a cycle waits for a long action, so the lease is renewed and the
 * status published while PostgreSQL is promoted, cloned, rewound or restarted.
 */
public final class HaLoop {
    private static final Logger LOG = LoggerFactory.getLogger(HaLoop.class);
    public static final String VERSION = "0.1.0";
    /** A probe commit pending for less than this is a commit in progress, not a stall. */
    private static final long STALL_WORTH_REPORTING_MILLIS = 1000;

    private final SpiloConfig config;
    private final Dcs dcs;
    private final Postgres postgres;
    private final LongSupplier nanoClock;
    private final Clock wallClock;
    private final EventLog events = new EventLog();
    private final Consumer<Throwable> onFatalError;
    private final Semaphore wakeUps = new Semaphore(0);
    private final AtomicReference<NodeStatus> status = new AtomicReference<>();
    private final LoopState state = new LoopState();
    private final LongActionRunner runner;
    private final PrimaryDuties duties;
    private final DecisionExecutor executor;
    private final OperatorActions operatorActions;
    private final MemberPublisher memberPublisher;
    private final FenceKeeper fenceKeeper;
    private final WriteProbe writeProbe;
    private final Failsafe failsafe;
    private final TimeKeeper timeKeeper;
    private volatile boolean running;
    /** pg_settings names of the running server, for the REST API's config checks; written by the loop thread. */
    private volatile java.util.Set<String> knownParameterNames = java.util.Set.of();
    private Thread thread;

    // Owned by the loop thread only.
    private long dcsLastSeenEpochSeconds;
    private String lastDescription = "";
    /** The last failed action and why, for {@code /patroni}; cleared once PostgreSQL is healthy again. */
    private Optional<String> lastError = Optional.empty();
    private boolean storeReachable = true;
    private final ConfigInForce configInForce;
    private java.time.Duration etcdCallTimeout;

    /** The agent's loop: long actions on a daemon thread of their own; an {@link Error} ends the process. */
    public HaLoop(SpiloConfig config, Dcs dcs, Postgres postgres, PeerProbe peers, FailsafeCaller failsafeCaller,
            LastConfigStore lastConfig, Fence fence, LongSupplier nanoClock, Clock wallClock) {
        this(config, dcs, postgres, peers, failsafeCaller, lastConfig, fence, nanoClock, wallClock, daemonThread("ha-long-action"),
                daemonThread("write-probe"), HaLoop::haltOnFatalError, Sleeper.REAL);
    }

    private static Executor daemonThread(String name) {
        return Executors.newSingleThreadExecutor(task -> {
            Thread worker = new Thread(task, name);
            worker.setDaemon(true);
            return worker;
        });
    }

    HaLoop(SpiloConfig config, Dcs dcs, Postgres postgres, PeerProbe peers, FailsafeCaller failsafeCaller,
            LastConfigStore lastConfig, Fence fence, LongSupplier nanoClock, Clock wallClock, Executor longActions, Executor probes, Consumer<Throwable> onFatalError,
            Sleeper sleeper) {
        this.config = config;
        this.dcs = dcs;
        this.postgres = postgres;
        this.nanoClock = nanoClock;
        this.wallClock = wallClock;
        this.onFatalError = onFatalError;
        this.configInForce = new ConfigInForce(config, lastConfig);
        this.runner = new LongActionRunner(longActions, this::wakeUp, nanoClock);
        this.fenceKeeper = new FenceKeeper(fence);
        this.failsafe = new Failsafe(config.name(), failsafeCaller, new FailsafeCaller.FailsafeRequest(config.name(),
                "postgres://" + config.postgres().connectAddress() + "/postgres", config.restApi().apiUrl()), nanoClock);
        this.writeProbe = new WriteProbe(probes, postgres, nanoClock);
        this.timeKeeper = new TimeKeeper(config.name(), state, writeProbe);
        this.duties = new PrimaryDuties(config.name(), dcs, postgres, state, this::wakeUp);
        Duration startTimeout = Duration.ofSeconds(config.postgres().startTimeoutSeconds());
        SwitchoverProcedure switchover = new SwitchoverProcedure(config.name(), startTimeout, dcs, postgres, peers, runner,
                state, nanoClock, sleeper, this::wakeUp);
        this.executor = new DecisionExecutor(config, dcs, postgres, peers, runner, state, duties, switchover, fenceKeeper,
                failsafe, wallClock, this::wakeUp);
        this.operatorActions = new OperatorActions(config.name(), startTimeout, postgres, runner, state, duties, this::wakeUp);
        this.memberPublisher = new MemberPublisher(config, dcs);
    }

    /** The process cannot trust its own state after an {@link Error}: one line, exit 1, a supervisor restarts it. */
    private static void haltOnFatalError(Throwable error) {
        System.err.println("spilo: fatal error in the HA loop, exiting: " + error);
        System.err.flush();
        Runtime.getRuntime().halt(1);
    }

    public NodeStatus status() {
        return status.get();
    }

    /** The cluster events this agent saw (GET /events, the status page). */
    public EventLog events() {
        return events;
    }

    /** The parameter names the local PostgreSQL knows, as of the last cycle it was running; safe from any thread. */
    public java.util.Set<String> knownParameterNames() {
        return knownParameterNames;
    }

    /** A leader's {@code POST /failsafe}. Safe from any thread. */
    public FailsafeReply acceptFailsafe(String leader) {
        NodeStatus current = status.get();
        return current == null ? FailsafeReply.STARTING : failsafe.accept(leader, current.postgres(), current.settings());
    }

    /** Queues an operator action for the loop thread; the future completes once it is done or refused. */
    public CompletableFuture<ActionOutcome> submit(AgentAction action) {
        return operatorActions.submit(action);
    }

    /** Runs the next cycle now instead of after loop_wait. Safe from any thread; never blocks. */
    public void wakeUp() {
        if (wakeUps.availablePermits() == 0) {
            wakeUps.release();
        }
    }

    public synchronized void start() {
        running = true;
        publish(Optional.empty(), postgres.state(), configInForce.settings(), "starting");
        dcs.watch(this::wakeUp);
        thread = new Thread(this::run, "ha-loop");
        thread.start();
    }

    /**
     * Stops the loop after its current cycle. On the leader this also stops PostgreSQL cleanly and
     * deletes the leader key, so that a replica takes over at once instead of after the lease runs
     * out; a replica's PostgreSQL keeps running. The lease is revoked, so the member key goes too.
     */
    public void stop(Duration timeout) throws InterruptedException {
        running = false;
        wakeUp();
        Thread current = thread;
        if (current != null) {
            current.join(timeout.toMillis());
        }
    }

    private void run() {
        while (running) {
            try {
                runCycle();
            } catch (RuntimeException e) {
                LOG.error("HA cycle failed unexpectedly; retrying next cycle", e);
            } catch (Error e) {
                LOG.error("fatal error in the HA loop: {}", e.toString());
                onFatalError.accept(e);
                return;
            }
            try {
                // While the store is unreachable, retry often: a leader must confirm or demote in time.
                long waitMillis = storeReachable ? effectiveTiming().loopWaitSeconds() * 1000L : 500L;
                if (wakeUps.tryAcquire(waitMillis, TimeUnit.MILLISECONDS)) {
                    wakeUps.drainPermits();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        shutDown();
    }

    private void shutDown() {
        try {
            NodeStatus last = status.get();
            boolean leading = last != null && last.cluster().map(view -> view.isLeader(config.name())).orElse(false);
            if (leading && postgres.state().isRunningPrimary()) {
                LOG.info("leader shutting down: stopping PostgreSQL and releasing the leader key");
                postgres.stop(Duration.ofSeconds(config.postgres().startTimeoutSeconds()));
                dcs.deleteLeader();
            }
            if (!postgres.state().isRunningPrimary()) {
                fenceKeeper.release();
            }
        } catch (PostgresException | DcsException e) {
            LOG.error("clean shutdown incomplete: {}", e.getMessage());
        }
        dcs.releaseLease();
    }

    /** One observe–decide–execute–publish cycle. Package-private so tests drive cycles one at a time. */
    void runCycle() {
        Optional<ClusterView> view = Optional.empty();
        Optional<LeaseState> lease = Optional.empty();
        try {
            ClusterView read = dcs.read();
            configInForce.observed(read);
            lease = Optional.of(dcs.renewLease(configInForce.settings().timing().ttlSeconds()));
            view = Optional.of(read);
            dcsLastSeenEpochSeconds = wallClock.instant().getEpochSecond();
            if (!storeReachable) {
                LOG.info("etcd answers again");
            }
            storeReachable = true;
        } catch (DcsException e) {
            if (storeReachable) {
                LOG.warn("etcd unreachable: {}", e.getMessage());
            }
            storeReachable = false;
        }
        DynamicConfig dynamic = configInForce.dynamic();
        HaSettings settings = configInForce.settings();
        followCallTimeout(settings);
        if (view.isPresent()) {
            Optional<Leader> leader = view.get().leader().filter(current -> current.name().equals(config.name()));
            if (leader.isPresent()) {
                confirmLeadership(leader.get(), lease.orElseThrow());
            } else {
                state.memory = state.memory.withLeadershipConfirmedAt(OptionalLong.empty());
                state.synchronousStandbyNames = Optional.empty();
            }
        }
        takeFinishedAction(view, lease);
        LocalState local = postgres.state();
        if (local.running()) {
            knownParameterNames = postgres.parameterNames();
        }
        if (view.isEmpty()) {
            NodeStatus last = status.get();
            failsafe.confirmWithoutStore(last == null ? Optional.empty() : last.cluster(), local, settings)
                    .ifPresent(at -> state.memory = state.memory.withLeadershipConfirmedAt(OptionalLong.of(at)));
        } else {
            failsafe.end();
        }
        // Time is read after the store calls: a slow store must count against the leadership window.
        long now = nanoClock.getAsLong();
        OffsetDateTime wallNow = OffsetDateTime.now(wallClock.withZone(ZoneOffset.UTC));
        Cycle cycle = new Cycle(view, lease, dynamic, settings, local, now, wallNow);
        timeKeeper.remember(cycle, runner.inProgress());
        Decision decision = HaRules.decide(view, local, settings, state.memory, now, wallNow);
        if (!decision.description().equals(lastDescription)) {
            LOG.info("{}", decision.description());
            lastDescription = decision.description();
        }
        String outcome = decision.description();
        try {
            executor.execute(decision, cycle);
            if (view.isPresent() && local.running() && runner.inProgress().isEmpty()
                    && (decision instanceof Decision.HoldLeadership || decision instanceof Decision.Wait)) {
                duties.applyConfiguration(cycle);
            }
        } catch (PostgresException | DcsException e) {
            outcome = decision.description() + " failed: " + e.getMessage();
            LOG.error("{}", outcome);
            lastError = Optional.of(outcome);
        }
        operatorActions.handle(cycle);
        LocalState after = postgres.state();
        fenceKeeper.reconcile(state.memory, after, runner.inProgress(), settings, nanoClock.getAsLong());
        MemberState memberState = MemberState.of(after, runner.inProgress());
        if (view.isPresent() && lease.isPresent()) {
            memberPublisher.publish(after, memberState, lease.get().leaseId());
        }
        publish(view, after, settings, outcome);
    }

    /** The decisions the executor can carry out (tests check it covers every kind). */
    java.util.Set<Class<? extends Decision>> handledDecisions() {
        return executor.handledDecisions();
    }

    /** A long action that finished since the last cycle: its follow-up runs here, on the loop thread. */
    private void takeFinishedAction(Optional<ClusterView> view, Optional<LeaseState> lease) {
        Optional<LongActionRunner.Finished> finished = runner.takeFinished();
        if (finished.isEmpty()) {
            return;
        }
        // A finished action changed what the next cycle reads (a new timeline, history, a released key): look again soon.
        wakeUp();
        if (finished.get() instanceof LongActionRunner.Finished.Succeeded succeeded) {
            LOG.info("done: {}", succeeded.action().description());
            succeeded.followUp().apply(view, lease);
        } else if (finished.get() instanceof LongActionRunner.Finished.Failed failed) {
            LOG.error("{} failed: {}", failed.action().description(), failed.cause().getMessage());
            lastError = Optional.of(failed.action().description() + " failed: " + failed.cause().getMessage());
            failed.onFailure().accept(failed.cause());
        } else if (finished.get() instanceof LongActionRunner.Finished.Crashed crashed) {
            throw crashed.error();
        }
    }


    /** Proves leadership: the lease was just renewed and the leader key lives on it. */
    private void confirmLeadership(Leader leader, LeaseState lease) {
        if (lease.replaced() && leader.leaseId() != lease.leaseId()) {
            // The key read this cycle may still be on the expired lease: only a successful
            // compare-and-set onto the new lease proves it is ours.
            LOG.warn("the lease expired; moving the leader key to the new lease if it still exists");
        }
        try {
            if (dcs.reattachLeader(leader)) {
                state.memory = state.memory.withLeadershipConfirmedAt(OptionalLong.of(lease.renewedAtNanos()));
            } else {
                state.memory = state.memory.withLeadershipConfirmedAt(OptionalLong.empty());
                LOG.warn("the leader key changed while this member renewed it");
            }
        } catch (DcsException e) {
            LOG.warn("could not confirm leadership: {}", e.getMessage());
        }
    }

    private void publish(Optional<ClusterView> view, LocalState local, HaSettings settings, String outcome) {
        if (local.isRunningPrimary() || local.running() && local.streaming()) {
            lastError = Optional.empty(); // healthy again: an old failure would only mislead
        }
        NodeStatus previous = status.get();
        Optional<ClusterView> cluster = view.isPresent() ? view : previous == null ? Optional.empty() : previous.cluster();
        view.ifPresent(read -> events.observe(read, wallClock.millis()));
        status.set(new NodeStatus(config.scope(), config.name(), MemberState.of(local, runner.inProgress()).text(),
                OperatorRules.roleName(local), local, state.memory.leadershipConfirmedAt(), dcsLastSeenEpochSeconds,
                nanoClock.getAsLong(), cluster, outcome, settings, config.tags().values(), configInForce.problem(),
                fenceKeeper.state(), writeProbe.lastLatencyMillis(), state.memory.writeStalledSince()
                        .stream().map(since -> (nanoClock.getAsLong() - since) / 1_000_000L)
                        .filter(millis -> millis >= STALL_WORTH_REPORTING_MILLIS).findFirst(), failsafe.active(), lastError));
    }

    /** For tests: the write probe's latest state, as the loop sees it. */
    OptionalLong writeStalledSince() {
        return state.memory.writeStalledSince();
    }

    /** etcd calls are bounded by the live retry_timeout, not the file's (it decides how fast a leader notices a hung store). */
    private void followCallTimeout(HaSettings settings) {
        java.time.Duration wanted = settings.timing().etcdCallTimeout();
        if (!wanted.equals(etcdCallTimeout)) {
            etcdCallTimeout = wanted;
            dcs.setCallTimeout(wanted);
        }
    }

    private TimingSettings effectiveTiming() {
        NodeStatus current = status.get();
        return current == null ? configInForce.settings().timing() : current.settings().timing();
    }
}
