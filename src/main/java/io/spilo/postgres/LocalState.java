package io.spilo.postgres;

import java.util.List;
import java.util.Optional;

/**
 * What the agent knows about its own PostgreSQL at one moment.
 *
 * @param dataDirectoryInitialized the data directory holds a cluster ({@code PG_VERSION} exists)
 * @param walPosition current WAL LSN on a primary, last received (or replayed) LSN on a replica
 * @param upstream the host and port in {@code primary_conninfo}, when this is a replica
 * @param streaming the WAL receiver reports status {@code streaming}
 * @param controlState "Database cluster state" from pg_controldata, read while PostgreSQL is stopped:
 *     {@code shut down} or {@code in production} mean it last ran as a primary
 * @param checkpointTimeline the timeline of the latest checkpoint, read while PostgreSQL is stopped
 * @param pendingRestart a changed parameter takes effect only after a restart
 */
public record LocalState(
        boolean dataDirectoryInitialized,
        RunState runState,
        Optional<Long> postmasterPid,
        Optional<String> systemIdentifier,
        boolean inRecovery,
        int timeline,
        long walPosition,
        long replayedPosition,
        Optional<String> replayedTimestamp,
        Optional<String> upstream,
        boolean streaming,
        int serverVersion,
        Optional<String> postmasterStartTime,
        List<ReplicationConnection> replication,
        Optional<String> controlState,
        int checkpointTimeline,
        boolean pendingRestart) {
    public LocalState {
        replication = List.copyOf(replication);
    }

    public static LocalState empty() {
        return stopped(false, Optional.empty(), Optional.empty(), 0, 0);
    }

    /** A stopped PostgreSQL, described by its control file. */
    public static LocalState stopped(boolean initialized, Optional<String> systemIdentifier, Optional<String> controlState,
            int checkpointTimeline, long checkpointPosition) {
        return new LocalState(initialized, RunState.STOPPED, Optional.empty(), systemIdentifier, false, checkpointTimeline,
                checkpointPosition, 0, Optional.empty(), Optional.empty(), false, 0, Optional.empty(), List.of(),
                controlState, checkpointTimeline, false);
    }

    /** A postmaster that is alive but does not answer queries yet. */
    public static LocalState starting(long pid, Optional<String> systemIdentifier) {
        return new LocalState(true, RunState.STARTING, Optional.of(pid), systemIdentifier, false, 0, 0, 0, Optional.empty(),
                Optional.empty(), false, 0, Optional.empty(), List.of(), Optional.empty(), 0, false);
    }

    /** PostgreSQL last ran as a standby (cleanly stopped in recovery, or interrupted in recovery). */
    public boolean lastRanAsStandby() {
        return controlState.map(state -> state.equals("shut down in recovery") || state.equals("in archive recovery")
                || state.equals("in crash recovery")).orElse(false);
    }

    /** PostgreSQL last ran as a primary (cleanly stopped or crashed), so it may hold WAL no replica has. */
    public boolean lastRanAsPrimary() {
        return controlState.map(state -> state.equals("shut down") || state.equals("in production")).orElse(false);
    }

    public boolean running() {
        return runState == RunState.RUNNING;
    }

    public boolean isRunningPrimary() {
        return runState == RunState.RUNNING && !inRecovery;
    }

    public boolean isRunningReplica() {
        return runState == RunState.RUNNING && inRecovery;
    }
}
