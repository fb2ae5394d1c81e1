package io.spilo.ha;

import io.spilo.postgres.LocalState;
import io.spilo.postgres.Postgres;
import io.spilo.postgres.PostgresException;
import io.spilo.postgres.RunState;
import io.spilo.postgres.Upstream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * A PostgreSQL that lives in memory: it starts, stops, promotes and clones at once, counts what
 * was asked of it, and fails when a test queues a failure. Synchronized: long actions may run on
 * another thread than the loop.
 */
public final class FakePostgres implements Postgres {
    public static final String SYSTEM_ID = "7000000000000000001";

    private boolean initialized;
    private boolean running;
    private boolean inRecovery;
    private boolean standbyConfigured;
    private Optional<Upstream> configuredUpstream = Optional.empty();
    private Optional<Upstream> runningUpstream = Optional.empty();
    private int timeline = 1;
    private long walPosition;
    private String controlState = "shut down";
    private final TreeSet<String> slots = new TreeSet<>();
    private final Map<String, Long> peerPositions = new HashMap<>();
    private final Deque<RuntimeException> initdbFailures = new ArrayDeque<>();
    private final Deque<RuntimeException> rewindFailures = new ArrayDeque<>();
    private Error stateError;
    private final List<String> calls = new ArrayList<>();
    private Map<String, String> configuredParameters = Map.of();
    private Map<String, String> runningParameters = Map.of();
    private Optional<String> synchronousStandbyNamesAtPromotion = Optional.empty();

    /** A running replica of {@code upstream} that has received {@code wal}. */
    public synchronized FakePostgres runningReplica(String upstreamHost, int upstreamPort, long wal) {
        initialized = true;
        running = true;
        inRecovery = true;
        standbyConfigured = true;
        runningUpstream = Optional.of(new Upstream(upstreamHost, upstreamPort, ""));
        configuredUpstream = runningUpstream;
        walPosition = wal;
        return this;
    }

    public synchronized FakePostgres runningPrimary(long wal) {
        initialized = true;
        running = true;
        inRecovery = false;
        standbyConfigured = false;
        walPosition = wal;
        return this;
    }

    /** Records a call made by another fake of the same member (its fence), to check the order. */
    public synchronized void note(String call) {
        calls.add(call);
    }

    @Override
    public synchronized void killImmediately() {
        if (running) {
            crash();
            calls.add("kill immediately");
        }
    }

    @Override
    public synchronized void commitHeartbeat() {
        if (!running || inRecovery) {
            throw new PostgresException("no primary to commit on");
        }
        calls.add("heartbeat");
    }

    /** kill -9 of the postmaster: the control file says it was in production. */
    public synchronized void crash() {
        running = false;
        controlState = inRecovery ? "in archive recovery" : "in production";
        calls.add("crash");
    }

    public synchronized void failNextInitdb(RuntimeException failure) {
        initdbFailures.add(failure);
    }

    public synchronized void failNextRewind(RuntimeException failure) {
        rewindFailures.add(failure);
    }

    /** The next {@link #state()} throws this error (a JVM in trouble). */
    public synchronized void throwOnNextState(Error error) {
        stateError = error;
    }

    public synchronized void peerHasReceived(String host, int port, long position) {
        peerPositions.put(host + ":" + port, position);
    }

    public synchronized void setWalPosition(long position) {
        walPosition = position;
    }

    /** synchronous_standby_names as the server ran with it when it was promoted. */
    public synchronized Optional<String> synchronousStandbyNamesAtPromotion() {
        return synchronousStandbyNamesAtPromotion;
    }

    public synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    public synchronized long count(String call) {
        return calls.stream().filter(call::equals).count();
    }

    @Override
    public synchronized LocalState state() {
        if (stateError != null) {
            Error error = stateError;
            stateError = null;
            throw error;
        }
        if (!initialized) {
            return LocalState.empty();
        }
        if (!running) {
            return LocalState.stopped(true, Optional.of(SYSTEM_ID), Optional.of(controlState), timeline, walPosition);
        }
        Optional<String> upstream = inRecovery ? runningUpstream.map(source -> source.host() + ":" + source.port())
                : Optional.empty();
        return new LocalState(true, RunState.RUNNING, Optional.of(4242L), Optional.of(SYSTEM_ID), inRecovery, timeline,
                walPosition, walPosition, Optional.empty(), upstream, inRecovery && upstream.isPresent(), 150000,
                Optional.of("2026-11-27 10:00:00.000000+00:00"), List.of(), Optional.empty(), 0, false);
    }

    @Override
    public synchronized void initialize(List<String> initdbOptions) {
        calls.add("initdb");
        if (!initdbFailures.isEmpty()) {
            throw initdbFailures.poll();
        }
        initialized = true;
        controlState = "shut down";
    }

    @Override
    public synchronized Map<String, String> restoreFromBackup() {
        calls.add("restore");
        initialized = true;
        controlState = "shut down";
        return Map.of("recovery_target_time", "2026-11-28 07:00:00+00");
    }

    @Override
    public synchronized void finishRecovery(Duration timeout) {
        calls.add("finish recovery");
    }

    @Override
    public synchronized boolean writeConfiguration(boolean standby, Optional<Upstream> upstream, Map<String, String> parameters) {
        boolean changed = standby != standbyConfigured || !upstream.equals(configuredUpstream)
                || !parameters.equals(configuredParameters);
        configuredParameters = Map.copyOf(parameters);
        standbyConfigured = standby;
        configuredUpstream = upstream;
        return changed;
    }

    @Override
    public synchronized void start(Duration timeout) {
        startInBackground();
    }

    @Override
    public synchronized void startInBackground() {
        if (!initialized) {
            throw new PostgresException("no data directory to start");
        }
        calls.add("start");
        running = true;
        runningParameters = configuredParameters;
        inRecovery = standbyConfigured;
        runningUpstream = standbyConfigured ? configuredUpstream : Optional.empty();
    }

    @Override
    public synchronized void stop(Duration timeout) {
        if (running) {
            calls.add("stop");
            controlState = inRecovery ? "shut down in recovery" : "shut down";
        }
        running = false;
    }

    @Override
    public synchronized void rewind(Upstream source, Duration timeout) {
        calls.add("rewind");
        if (!rewindFailures.isEmpty()) {
            throw rewindFailures.poll();
        }
        controlState = "in archive recovery";
    }

    @Override
    public synchronized void promote(Duration timeout) {
        if (!running || !inRecovery) {
            throw new PostgresException("pg_ctl promote: server is not in standby mode");
        }
        calls.add("promote");
        synchronousStandbyNamesAtPromotion = Optional.ofNullable(runningParameters.get("synchronous_standby_names"));
        inRecovery = false;
        timeline++;
    }

    @Override
    public synchronized void reload() {
        calls.add("reload");
        runningParameters = configuredParameters;
        // PostgreSQL 13+ applies a changed primary_conninfo on reload.
        if (running && inRecovery && standbyConfigured) {
            runningUpstream = configuredUpstream;
        }
    }

    @Override
    public synchronized OptionalLong receivedPositionOn(String host, int port) {
        Long position = peerPositions.get(host + ":" + port);
        return position == null ? OptionalLong.empty() : OptionalLong.of(position);
    }

    @Override
    public synchronized java.util.Set<String> parameterNames() {
        return running ? java.util.Set.of("max_connections", "shared_buffers", "synchronous_standby_names") : java.util.Set.of();
    }

    @Override
    public synchronized void checkpoint() {
    }

    @Override
    public synchronized void cloneFrom(Upstream upstream, Duration timeout) {
        calls.add("clone");
        initialized = true;
        running = false;
        controlState = "in archive recovery";
    }

    @Override
    public synchronized void ensureReplicationRole() {
    }

    @Override
    public synchronized List<String> physicalReplicationSlots() {
        return List.copyOf(slots);
    }

    @Override
    public synchronized void createPhysicalReplicationSlot(String name) {
        slots.add(name);
    }

    @Override
    public synchronized void dropReplicationSlot(String name) {
        slots.remove(name);
    }

    @Override
    public synchronized void removeDataDirectory() {
        calls.add("remove data directory");
        initialized = false;
        running = false;
    }

    @Override
    public synchronized void close() {
    }
}
