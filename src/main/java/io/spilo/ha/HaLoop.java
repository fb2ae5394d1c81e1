package io.spilo.ha;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spilo.config.SpiloConfig;
import io.spilo.config.TimingSettings;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.Dcs;
import io.spilo.dcs.DcsException;
import io.spilo.dcs.DynamicConfig;
import io.spilo.dcs.HistoryEntry;
import io.spilo.dcs.Leader;
import io.spilo.dcs.LeaseState;
import io.spilo.dcs.Member;
import io.spilo.postgres.LocalState;
import io.spilo.postgres.Postgres;
import io.spilo.postgres.PostgresException;
import io.spilo.postgres.RunState;
import io.spilo.postgres.Upstream;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's one stateful thread: each cycle it reads the cluster and the local PostgreSQL,
 * asks {@link HaRules#decide} what to do, does it, publishes its member key and a
 * {@link NodeStatus}. Store watch callbacks only call {@link #wakeUp()}.
 */
public final class HaLoop {
    private static final Logger LOG = LoggerFactory.getLogger(HaLoop.class);
    public static final String VERSION = "0.1.0";
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** A slot whose member is gone is kept this long (Patroni's member_slots_ttl default). */
    private static final long DEFAULT_SLOT_GRACE_SECONDS = 30 * 60;
    private static final Duration CLONE_TIMEOUT = Duration.ofHours(6);
    /** Patroni's history timestamps: ISO 8601 with microseconds and a numeric offset. */
    private static final java.time.format.DateTimeFormatter HISTORY_TIMESTAMP =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx");

    private final SpiloConfig config;
    private final Dcs dcs;
    private final Postgres postgres;
    private final LongSupplier nanoClock;
    private final Clock wallClock;
    private final Semaphore wakeUps = new Semaphore(0);
    private final AtomicReference<NodeStatus> status = new AtomicReference<>();
    private volatile boolean running;
    private Thread thread;

    private final PeerProbe peers;
    private final java.util.concurrent.ConcurrentLinkedQueue<PendingAction> actions = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** An action and where its answer goes. */
    private record PendingAction(AgentAction action, java.util.concurrent.CompletableFuture<AgentAction.Result> answer) {
    }

    // Owned by the loop thread only.
    private AgentMemory memory = AgentMemory.initial();
    private long dcsLastSeenEpochSeconds;
    private String lastDescription = "";
    private String memberState = "stopped";
    private ObjectNode lastMemberData;
    private long lastPublishedOptime = -1;
    private long lastLeaseId;
    private Map<String, Long> unwantedSlotsSince = new HashMap<>();
    private boolean storeReachable = true;
    private Optional<AgentAction.Restart> scheduledRestart = Optional.empty();
    /** synchronous_standby_names as this leader runs PostgreSQL with it; empty until known. */
    private Optional<List<String>> synchronousStandbyNames = Optional.empty();

    public HaLoop(SpiloConfig config, Dcs dcs, Postgres postgres, PeerProbe peers, LongSupplier nanoClock, Clock wallClock) {
        this.config = config;
        this.dcs = dcs;
        this.postgres = postgres;
        this.peers = peers;
        this.nanoClock = nanoClock;
        this.wallClock = wallClock;
    }

    public NodeStatus status() {
        return status.get();
    }

    /**
     * Queues an operator action for the loop thread and wakes it; the future completes with
     * Patroni's status code and message once the loop has handled it.
     */
    public java.util.concurrent.CompletableFuture<AgentAction.Result> submit(AgentAction action) {
        java.util.concurrent.CompletableFuture<AgentAction.Result> answer = new java.util.concurrent.CompletableFuture<>();
        actions.add(new PendingAction(action, answer));
        wakeUp();
        return answer;
    }

    /** Runs the next cycle now instead of after loop_wait. Safe from any thread; never blocks. */
    public void wakeUp() {
        if (wakeUps.availablePermits() == 0) {
            wakeUps.release();
        }
    }

    public synchronized void start() {
        running = true;
        publish(Optional.empty(), postgres.state(), settingsFor(bootstrapConfig()), "starting");
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
        } catch (PostgresException | DcsException e) {
            LOG.error("clean shutdown incomplete: {}", e.getMessage());
        }
        dcs.releaseLease();
    }

    /** One read–decide–act–publish cycle. Package-private so tests can drive cycles one at a time. */
    void runCycle() {
        Optional<ClusterView> view = Optional.empty();
        Optional<LeaseState> lease = Optional.empty();
        try {
            ClusterView read = dcs.read();
            lease = Optional.of(dcs.renewLease(timingOf(read).ttlSeconds()));
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
        if (lease.isPresent() && lease.get().leaseId() != lastLeaseId) {
            lastLeaseId = lease.get().leaseId();
            lastMemberData = null;
        }
        DynamicConfig dynamic = view.filter(ClusterView::configPresent).map(ClusterView::config).orElseGet(this::bootstrapConfig);
        HaSettings settings = settingsFor(dynamic);
        if (view.isPresent()) {
            Optional<Leader> leader = view.get().leader().filter(current -> current.name().equals(config.name()));
            if (leader.isPresent()) {
                confirmLeadership(leader.get(), lease.orElseThrow());
            } else {
                memory = memory.withLeadershipConfirmedAt(OptionalLong.empty());
                synchronousStandbyNames = Optional.empty();
            }
        }
        LocalState local = postgres.state();
        // Time is read after the store calls: a slow store must count against the leadership window.
        long now = nanoClock.getAsLong();
        boolean keyHolder = view.map(current -> current.isLeader(config.name())).orElse(false);
        if (keyHolder && !local.running()) {
            if (memory.primaryDownSince().isEmpty()) {
                memory = memory.withPrimaryDownSince(OptionalLong.of(now));
            }
        } else {
            memory = memory.withPrimaryDownSince(OptionalLong.empty());
        }
        if (local.isRunningReplica() && !local.streaming()) {
            if (memory.replicaStalledSince().isEmpty()) {
                memory = memory.withReplicaStalledSince(OptionalLong.of(now));
            }
        } else {
            memory = memory.withReplicaStalledSince(OptionalLong.empty());
        }
        OffsetDateTime wallNow = OffsetDateTime.now(wallClock.withZone(ZoneOffset.UTC));
        Decision decision = HaRules.decide(view, local, settings, memory, now, wallNow);
        if (!decision.description().equals(lastDescription)) {
            LOG.info("{}", decision.description());
            lastDescription = decision.description();
        }
        String outcome = decision.description();
        try {
            execute(decision, view, lease, dynamic, local, settings);
        } catch (PostgresException | DcsException e) {
            outcome = decision.description() + " failed: " + e.getMessage();
            LOG.error("{}", outcome);
        }
        if (view.isPresent() && local.running() && (decision instanceof Decision.HoldLeadership
                || decision instanceof Decision.Wait)) {
            applyConfiguration(view.get(), local, dynamic);
        }
        handleActions(view, settings, dynamic, wallNow);
        LocalState after = postgres.state();
        memberState = stateName(after, memberState);
        if (view.isPresent() && lease.isPresent()) {
            publishToStore(after);
        }
        publish(view, after, settings, outcome);
    }

    /**
     * PostgreSQL parameters for this member: the cluster's, plus, in synchronous mode,
     * synchronous_standby_names as the leader manages it (empty on replicas).
     */
    private Map<String, String> parameters(DynamicConfig dynamic, Optional<ClusterView> view) {
        Map<String, String> parameters = new java.util.LinkedHashMap<>(dynamic.postgresParameters());
        if (dynamic.synchronousMode()) {
            boolean leading = view.map(current -> current.isLeader(config.name())).orElse(false);
            List<String> names = leading ? synchronousStandbyNames.orElseGet(() -> view.flatMap(ClusterView::sync)
                    .filter(sync -> sync.leader().map(config.name()::equals).orElse(false))
                    .map(sync -> sync.synchronousStandbys().isEmpty() && dynamic.synchronousModeStrict()
                            ? List.of("*") : sync.synchronousStandbys())
                    .orElse(dynamic.synchronousModeStrict() ? List.of("*") : List.of())) : List.of();
            parameters.put("synchronous_standby_names", SynchronousPlan.render(names));
        }
        return parameters;
    }

    private void execute(Decision decision, Optional<ClusterView> view, Optional<LeaseState> lease,
            DynamicConfig dynamic, LocalState local, HaSettings settings) {
        Map<String, String> parameters = parameters(dynamic, view);
        Duration startTimeout = Duration.ofSeconds(config.postgres().startTimeoutSeconds());
        if (decision instanceof Decision.Bootstrap) {
            bootstrap(lease.orElseThrow(), parameters, startTimeout);
        } else if (decision instanceof Decision.ClaimCluster claim) {
            if (dcs.createInitialize(claim.systemIdentifier())) {
                dcs.createConfig(config.bootstrap().dcs());
                wakeUp();
            }
        } else if (decision instanceof Decision.CloneFromLeader clone) {
            memberState = "creating replica";
            publish(view, local, settings, decision.description());
            postgres.cloneFrom(clone.upstream(), CLONE_TIMEOUT);
            postgres.writeConfiguration(true, Optional.of(clone.upstream()), parameters);
            memberState = "starting";
            postgres.start(startTimeout);
        } else if (decision instanceof Decision.StartAsReplica start) {
            memberState = "starting";
            postgres.writeConfiguration(true, start.upstream(), parameters);
            postgres.start(startTimeout);
        } else if (decision instanceof Decision.RewindFrom rewind) {
            try {
                postgres.rewind(rewind.upstream(), CLONE_TIMEOUT);
            } catch (PostgresException e) {
                memory = memory.withRewindFailure(Optional.of(e.getMessage()));
                wakeUp();
                throw e;
            }
            memory = memory.withRewindFailure(Optional.empty());
            memberState = "starting";
            postgres.writeConfiguration(true, Optional.of(rewind.upstream()), parameters);
            postgres.start(startTimeout);
        } else if (decision instanceof Decision.RemoveDataDirectory) {
            postgres.removeDataDirectory();
            memory = memory.withRewindFailure(Optional.empty());
            wakeUp();
        } else if (decision instanceof Decision.FollowLeader follow) {
            postgres.writeConfiguration(true, Optional.of(follow.upstream()), parameters);
            postgres.reload();
        } else if (decision instanceof Decision.HoldLeadership) {
            if (memory.leadershipConfirmedAt().isPresent()) {
                maintainPrimary(view.orElseThrow(), local, dynamic);
            }
        } else if (decision instanceof Decision.PromoteHeldLeadership) {
            if (memory.leadershipConfirmedAt().isPresent()) {
                promote(view.orElseThrow(), local, parameters);
            }
        } else if (decision instanceof Decision.StartAsLeader) {
            if (memory.leadershipConfirmedAt().isPresent()) {
                memberState = "starting";
                LOG.info("PostgreSQL is not running on the leader: starting it in place");
                postgres.writeConfiguration(false, Optional.empty(), parameters);
                // Not waiting: the loop must keep renewing the leader key while PostgreSQL recovers.
                postgres.startInBackground();
                wakeUp();
            }
        } else if (decision instanceof Decision.ReleaseLeadership) {
            memory = memory.withLeadershipConfirmedAt(OptionalLong.empty())
                    .withReleasedLeadershipAt(OptionalLong.of(nanoClock.getAsLong()));
            postgres.stop(startTimeout);
            dcs.deleteLeader();
        } else if (decision instanceof Decision.AcquireLeadership acquire) {
            acquireLeadership(view.orElseThrow(), lease.orElseThrow(), local, settings, parameters, acquire.designated());
        } else if (decision instanceof Decision.Switchover switchover) {
            switchOver(view.orElseThrow(), switchover.candidate(), local, settings);
        } else if (decision instanceof Decision.ClearSwitchover) {
            dcs.clearSwitchover();
            wakeUp();
        } else if (decision instanceof Decision.Demote) {
            memory = memory.withLeadershipConfirmedAt(OptionalLong.empty());
            postgres.stop(startTimeout);
            wakeUp();
        } else if (!(decision instanceof Decision.Wait)) {
            throw new IllegalStateException("no executor for " + decision);
        }
    }

    private void acquireLeadership(ClusterView view, LeaseState lease, LocalState local, HaSettings settings,
            Map<String, String> parameters, boolean designated) {
        if (!designated) {
            // In synchronous mode a peer outside the sync key cannot be promoted, whatever WAL it has.
            List<Member> others = view.members().stream().filter(member -> !member.name().equals(config.name()))
                    .filter(member -> !settings.synchronous().enabled() || view.sync().map(sync -> sync.mayBePromoted(member.name())).orElse(true))
                    .toList();
            Optional<String> stepBack = HaRules.reasonToStepBack(local.walPosition(), settings, peers.probe(others));
            if (stepBack.isPresent()) {
                LOG.info("not racing for the leader key: {}", stepBack.get());
                return;
            }
        }
        if (dcs.attemptToAcquireLeader()) {
            memory = memory.withLeadershipConfirmedAt(OptionalLong.of(lease.renewedAtNanos()));
            LOG.info("acquired the leader key");
            if (settings.synchronous().enabled()) {
                // Before any commit on the new timeline: the key names no standby, so none may be promoted
                // until it acknowledges this leader's commits (DESIGN §4 invariant 2).
                long revision = view.sync().map(io.spilo.dcs.SyncState::modRevision).orElse(0L);
                if (!dcs.writeSync(new io.spilo.dcs.SyncState(Optional.of(config.name()), List.of(), 0), revision)) {
                    LOG.error("the sync key changed while taking over; giving the leader key back");
                    dcs.deleteLeader();
                    memory = memory.withLeadershipConfirmedAt(OptionalLong.empty());
                    return;
                }
                synchronousStandbyNames = Optional.of(settings.synchronous().strict() ? List.of("*") : List.of());
                parameters = new java.util.LinkedHashMap<>(parameters);
                parameters.put("synchronous_standby_names", SynchronousPlan.render(synchronousStandbyNames.get()));
            }
            if (local.inRecovery()) {
                promote(view, local, parameters);
            }
            if (view.failover().isPresent()) {
                dcs.clearSwitchover();
            }
        } else {
            LOG.info("another member acquired the leader key first");
        }
        wakeUp();
    }

    /**
     * The graceful hand-over (DESIGN §4 invariant 7): check the candidate, checkpoint so the
     * shutdown is short, stop cleanly (the WAL senders ship everything up to the shutdown
     * checkpoint), make sure the candidate received it, then release the key for the candidate.
     */
    private void switchOver(ClusterView view, String candidate, LocalState local, HaSettings settings) {
        Member member = view.member(candidate).orElseThrow();
        Optional<PeerStatus> status = peers.probe(List.of(member)).stream().filter(PeerStatus::reachable).findFirst();
        if (status.isEmpty() || status.get().runningPrimary()
                || local.walPosition() - status.get().walPosition() > settings.maximumLagOnFailover()) {
            LOG.warn("switchover to {} abandoned: it is not a healthy replica within maximum_lag_on_failover", candidate);
            dcs.clearSwitchover();
            return;
        }
        Duration timeout = Duration.ofSeconds(config.postgres().startTimeoutSeconds());
        long started = nanoClock.getAsLong();
        postgres.checkpoint();
        memberState = "stopping";
        postgres.stop(timeout);
        long shutdownCheckpoint = postgres.state().walPosition();
        long deadline = nanoClock.getAsLong() + settings.timing().retryTimeoutSeconds() * NANOS_PER_SECOND;
        boolean caughtUp = false;
        String host = member.postgresHost().orElse("");
        int port = member.postgresPort().orElse(5432);
        while (!caughtUp && nanoClock.getAsLong() < deadline) {
            // Asked of the candidate's PostgreSQL itself: its agent's status may be a loop old.
            caughtUp = postgres.receivedPositionOn(host, port).orElse(-1) >= shutdownCheckpoint;
            if (!caughtUp) {
                sleepQuietly(50);
            }
        }
        if (!caughtUp) {
            // Not releasing: the candidate could lose commits. Start again as primary; the request is dropped.
            LOG.error("switchover to {} abandoned: it did not confirm WAL up to {} in time; restarting as primary", candidate,
                    shutdownCheckpoint);
            dcs.clearSwitchover();
            postgres.startInBackground();
            return;
        }
        memory = memory.withLeadershipConfirmedAt(OptionalLong.empty()).withReleasedLeadershipAt(OptionalLong.of(nanoClock.getAsLong()));
        dcs.deleteLeader();
        LOG.info("released the leader key to {} ({} ms after the switchover began)", candidate,
                (nanoClock.getAsLong() - started) / 1_000_000);
        wakeUp();
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Keeps postgresql.conf equal to the cluster's configuration (dynamic parameters, then local
     * ones): rewritten and reloaded when it changed; parameters that need a restart show up as
     * pending_restart.
     */
    private void applyConfiguration(ClusterView view, LocalState local, DynamicConfig dynamic) {
        Optional<Upstream> upstream = local.inRecovery()
                ? view.leaderMember().filter(leader -> !leader.name().equals(config.name()))
                        .flatMap(leader -> HaRules.upstreamOf(leader, config.name()))
                : Optional.empty();
        if (local.inRecovery() && upstream.isEmpty() && local.upstream().isPresent()) {
            return; // no leader right now: keep following whom we follow until there is one
        }
        if (postgres.writeConfiguration(local.inRecovery(), upstream, parameters(dynamic, Optional.of(view)))) {
            LOG.info("configuration changed; reloading PostgreSQL");
            postgres.reload();
        }
    }

    private void handleActions(Optional<ClusterView> view, HaSettings settings, DynamicConfig dynamic, OffsetDateTime wallNow) {
        if (scheduledRestart.isPresent() && scheduledRestart.get().scheduledAt().map(at -> !wallNow.isBefore(at)).orElse(true)) {
            AgentAction.Restart due = scheduledRestart.get();
            scheduledRestart = Optional.empty();
            AgentAction.Result result = restart(new AgentAction.Restart(due.onlyIfPendingRestart(), due.role(), Optional.empty(),
                    due.timeout()), view, dynamic);
            LOG.info("scheduled restart: {}", result.message());
        }
        PendingAction pending;
        while ((pending = actions.poll()) != null) {
            AgentAction.Result result;
            try {
                result = perform(pending.action(), view, settings, dynamic);
            } catch (PostgresException | DcsException e) {
                result = new AgentAction.Result(503, e.getMessage());
            }
            pending.answer().complete(result);
        }
    }

    private AgentAction.Result perform(AgentAction action, Optional<ClusterView> view, HaSettings settings, DynamicConfig dynamic) {
        if (action instanceof AgentAction.Restart restart) {
            if (restart.scheduledAt().isPresent()) {
                if (scheduledRestart.isPresent()) {
                    return new AgentAction.Result(409, "Cannot schedule restart: another restart is already scheduled");
                }
                scheduledRestart = Optional.of(restart);
                return new AgentAction.Result(202, "Restart scheduled");
            }
            return restart(restart, view, dynamic);
        }
        if (action instanceof AgentAction.CancelRestart) {
            if (scheduledRestart.isEmpty()) {
                return new AgentAction.Result(404, "no restart is scheduled");
            }
            scheduledRestart = Optional.empty();
            return new AgentAction.Result(200, "scheduled restart deleted");
        }
        if (action instanceof AgentAction.Reload) {
            LocalState local = postgres.state();
            if (local.running() && view.isPresent()) {
                applyConfiguration(view.get(), local, dynamic);
                postgres.reload();
            }
            return new AgentAction.Result(202, "reload scheduled");
        }
        if (action instanceof AgentAction.Reinitialize reinitialize) {
            if (view.map(current -> current.isLeader(config.name())).orElse(false)) {
                return new AgentAction.Result(503, "I am the leader, can not reinitialize");
            }
            if (view.flatMap(ClusterView::leaderMember).isEmpty()) {
                return new AgentAction.Result(503, "Cluster has no leader, can not reinitialize");
            }
            if (postgres.state().isRunningReplica() && postgres.state().streaming() && !reinitialize.force()) {
                LOG.info("reinitializing a streaming replica on request");
            }
            memberState = "reinitializing";
            postgres.stop(Duration.ofSeconds(config.postgres().startTimeoutSeconds()));
            postgres.removeDataDirectory();
            wakeUp();
            return new AgentAction.Result(200, "reinitialize started");
        }
        throw new IllegalStateException("no handler for " + action);
    }

    private AgentAction.Result restart(AgentAction.Restart restart, Optional<ClusterView> view, DynamicConfig dynamic) {
        LocalState local = postgres.state();
        if (!local.running()) {
            return new AgentAction.Result(503, "PostgreSQL is not running");
        }
        String role = roleName(local);
        if (restart.role().isPresent() && !restart.role().get().equals(role)
                && !(restart.role().get().equals("master") && role.equals("primary"))) {
            return new AgentAction.Result(412, "restart conditions are not satisfied: role is " + role);
        }
        if (restart.onlyIfPendingRestart() && !local.pendingRestart()) {
            return new AgentAction.Result(412, "restart conditions are not satisfied: no restart is pending");
        }
        Duration timeout = restart.timeout().orElse(Duration.ofSeconds(config.postgres().startTimeoutSeconds()));
        memberState = "restarting";
        postgres.stop(timeout);
        postgres.start(timeout);
        memberState = "running";
        return new AgentAction.Result(200, "restarted successfully");
    }

    private void bootstrap(LeaseState lease, Map<String, String> parameters, Duration startTimeout) {
        if (!dcs.createInitialize("")) {
            LOG.info("another member is bootstrapping the cluster");
            return;
        }
        memberState = "initializing new cluster";
        try {
            postgres.initialize(config.bootstrap().initdbOptions());
            postgres.writeConfiguration(false, Optional.empty(), parameters);
            postgres.start(startTimeout);
            postgres.ensureReplicationRole();
            if (!dcs.attemptToAcquireLeader()) {
                throw new PostgresException("the leader key was taken while this member bootstrapped the cluster");
            }
            memory = memory.withLeadershipConfirmedAt(OptionalLong.of(lease.renewedAtNanos()));
            LocalState state = postgres.state();
            String systemIdentifier = state.systemIdentifier()
                    .orElseThrow(() -> new PostgresException("cannot read the system identifier after initdb"));
            dcs.createConfig(config.bootstrap().dcs());
            dcs.replaceInitialize("", systemIdentifier);
            LOG.info("bootstrapped a new cluster, system identifier {}", systemIdentifier);
        } catch (PostgresException | DcsException e) {
            LOG.error("bootstrap failed, cleaning up so that it can be retried: {}", e.getMessage());
            try {
                postgres.stop(startTimeout);
                postgres.removeDataDirectory();
                dcs.deleteLeader();
                dcs.cancelInitialize("");
            } catch (PostgresException | DcsException cleanup) {
                LOG.error("cleanup after the failed bootstrap failed too: {}", cleanup.getMessage());
            }
            memory = memory.withLeadershipConfirmedAt(OptionalLong.empty());
            throw e;
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
                memory = memory.withLeadershipConfirmedAt(OptionalLong.of(lease.renewedAtNanos()));
            } else {
                memory = memory.withLeadershipConfirmedAt(OptionalLong.empty());
                LOG.warn("the leader key changed while this member renewed it");
            }
        } catch (DcsException e) {
            LOG.warn("could not confirm leadership: {}", e.getMessage());
        }
    }

    private void promote(ClusterView view, LocalState before, Map<String, String> parameters) {
        Duration timeout = Duration.ofSeconds(config.postgres().startTimeoutSeconds());
        postgres.promote(timeout);
        postgres.writeConfiguration(false, Optional.empty(), parameters);
        postgres.reload();
        // The control file shows the new timeline only after a checkpoint; pg_rewind on the old
        // primary reads it there, and would otherwise see "same timeline, no rewind required".
        postgres.checkpoint();
        LocalState after = postgres.state();
        List<HistoryEntry> history = new ArrayList<>(view.history());
        history.add(new HistoryEntry(Math.max(1, after.timeline() - 1), before.walPosition(),
                "no recovery target specified", OffsetDateTime.now(wallClock.withZone(ZoneOffset.UTC)).format(HISTORY_TIMESTAMP),
                config.name()));
        dcs.writeHistory(history);
        LOG.info("promoted to primary on timeline {}", after.timeline());
    }

    /** Leader duties each cycle: replication slots for the members, and the published WAL position. */
    private void maintainPrimary(ClusterView view, LocalState local, DynamicConfig dynamic) {
        if (dynamic.useSlots()) {
            Set<String> wanted = new HashSet<>();
            for (Member member : view.members()) {
                if (!member.name().equals(config.name())) {
                    wanted.add(HaRules.slotNameFor(member.name()));
                }
            }
            Set<String> existing = new HashSet<>(postgres.physicalReplicationSlots());
            SlotPlan plan = SlotPlan.plan(existing, wanted, unwantedSlotsSince, nanoClock.getAsLong(),
                    slotGraceSeconds(dynamic) * NANOS_PER_SECOND);
            for (String slot : plan.create()) {
                LOG.info("creating replication slot {}", slot);
                postgres.createPhysicalReplicationSlot(slot);
            }
            for (String slot : plan.drop()) {
                LOG.info("dropping replication slot {}: its member is gone", slot);
                postgres.dropReplicationSlot(slot);
            }
            unwantedSlotsSince = new HashMap<>(plan.unwantedSince());
        }
        if (local.walPosition() != lastPublishedOptime) {
            dcs.writeStatus(local.walPosition());
            lastPublishedOptime = local.walPosition();
        }
        manageSynchronousStandbys(view, local, dynamic);
    }

    /** Synchronous mode on the leader: one safe step per cycle (see {@link SynchronousPlan}). */
    private void manageSynchronousStandbys(ClusterView view, LocalState local, DynamicConfig dynamic) {
        if (!dynamic.synchronousMode()) {
            synchronousStandbyNames = Optional.empty();
            if (view.sync().isPresent()) {
                dcs.deleteSync();
            }
            return;
        }
        HaSettings.Synchronous settings = settingsFor(dynamic).synchronous();
        SynchronousPlan plan = SynchronousPlan.plan(config.name(), view.sync(), local.replication(), view.members(),
                local.walPosition(), settings);
        if (plan.keyStandbys().isPresent()) {
            long revision = view.sync().map(io.spilo.dcs.SyncState::modRevision).orElse(0L);
            if (!dcs.writeSync(new io.spilo.dcs.SyncState(Optional.of(config.name()), plan.keyStandbys().get(), 0), revision)) {
                LOG.warn("the sync key changed meanwhile; trying again next cycle");
                wakeUp();
                return;
            }
            LOG.info("synchronous standbys in the sync key: {}", plan.keyStandbys().get());
        }
        if (!synchronousStandbyNames.equals(Optional.of(plan.standbyNames()))) {
            synchronousStandbyNames = Optional.of(plan.standbyNames());
            if (postgres.writeConfiguration(false, Optional.empty(), parameters(dynamic, Optional.of(view)))) {
                LOG.info("synchronous_standby_names = '{}'", SynchronousPlan.render(plan.standbyNames()));
                postgres.reload();
            }
            // Newly enabled standbys become synchronous in pg_stat_replication shortly: look again soon.
            wakeUp();
        }
    }

    private static long slotGraceSeconds(DynamicConfig dynamic) {
        String text = dynamic.json().path("member_slots_ttl").asText("");
        if (text.isBlank()) {
            return DEFAULT_SLOT_GRACE_SECONDS;
        }
        try {
            if (text.endsWith("min")) {
                return Long.parseLong(text.substring(0, text.length() - 3).strip()) * 60;
            }
            if (text.endsWith("h")) {
                return Long.parseLong(text.substring(0, text.length() - 1).strip()) * 3600;
            }
            if (text.endsWith("s")) {
                return Long.parseLong(text.substring(0, text.length() - 1).strip());
            }
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            LOG.warn("config.member_slots_ttl: '{}' is not a duration; using {} s", text, DEFAULT_SLOT_GRACE_SECONDS);
            return DEFAULT_SLOT_GRACE_SECONDS;
        }
    }

    private void publishToStore(LocalState local) {
        ObjectNode data = memberData(local);
        if (!data.equals(lastMemberData)) {
            try {
                dcs.touchMember(data);
                lastMemberData = data;
            } catch (DcsException e) {
                LOG.warn("could not write the member key: {}", e.getMessage());
            }
        }
    }

    private ObjectNode memberData(LocalState local) {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("conn_url", "postgres://" + config.postgres().connectAddress() + "/postgres");
        data.put("api_url", config.restApi().apiUrl());
        data.put("state", memberState);
        data.put("role", roleName(local));
        data.put("version", VERSION);
        if (local.running()) {
            data.put("xlog_location", local.walPosition());
            if (local.inRecovery()) {
                data.put("replication_state", local.streaming() ? "streaming" : "in archive recovery");
            }
        }
        if (local.timeline() > 0) {
            data.put("timeline", local.timeline());
        }
        if (local.pendingRestart()) {
            data.put("pending_restart", true);
        }
        if (!config.tags().values().isEmpty()) {
            ObjectNode tags = data.putObject("tags");
            config.tags().values().forEach((key, value) -> tags.putPOJO(key, value));
        }
        return data;
    }

    static String roleName(LocalState local) {
        if (!local.running()) {
            return local.dataDirectoryInitialized() ? "replica" : "uninitialized";
        }
        return local.inRecovery() ? "replica" : "primary";
    }

    private static String stateName(LocalState local, String previous) {
        return switch (local.runState()) {
            case RUNNING -> "running";
            case STARTING -> "starting";
            case STOPPED -> previous.equals("creating replica") || previous.equals("initializing new cluster")
                    ? previous : "stopped";
        };
    }

    private void publish(Optional<ClusterView> view, LocalState local, HaSettings settings, String outcome) {
        NodeStatus previous = status.get();
        Optional<ClusterView> cluster = view.isPresent() ? view : previous == null ? Optional.empty() : previous.cluster();
        status.set(new NodeStatus(config.scope(), config.name(),
                local.runState() == RunState.STOPPED && !memberState.equals("stopped") ? memberState : stateName(local, memberState),
                roleName(local), local, memory.leadershipConfirmedAt(), dcsLastSeenEpochSeconds, nanoClock.getAsLong(), cluster,
                outcome, settings, config.tags().values()));
    }

    private DynamicConfig bootstrapConfig() {
        return new DynamicConfig(config.bootstrap().dcs(), 0);
    }

    private TimingSettings timingOf(ClusterView view) {
        return (view.configPresent() ? view.config() : bootstrapConfig()).timing();
    }

    private TimingSettings effectiveTiming() {
        NodeStatus current = status.get();
        return current == null ? bootstrapConfig().timing() : current.settings().timing();
    }

    private HaSettings settingsFor(DynamicConfig dynamic) {
        TimingSettings timing;
        try {
            timing = dynamic.timing().validated("config.");
        } catch (RuntimeException e) {
            LOG.warn("{}; using Spilo's defaults {} until it is fixed", e.getMessage(), TimingSettings.SPILO_DEFAULTS);
            timing = TimingSettings.SPILO_DEFAULTS;
        }
        return new HaSettings(config.name(), timing, dynamic.maximumLagOnFailover(), config.tags().noFailover(),
                config.tags().failoverPriority(), dynamic.paused(), dynamic.primaryStartTimeoutSeconds(),
                config.postgres().removeDataDirectoryOnRewindFailure(),
                dynamic.synchronousMode() ? new HaSettings.Synchronous(true, dynamic.synchronousModeStrict(),
                        dynamic.synchronousNodeCount(), dynamic.maximumLagOnSyncnode()) : HaSettings.Synchronous.OFF);
    }
}
