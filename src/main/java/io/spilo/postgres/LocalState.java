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
        List<ReplicationConnection> replication) {
    public LocalState {
        replication = List.copyOf(replication);
    }

    public static LocalState empty() {
        return new LocalState(false, RunState.STOPPED, Optional.empty(), Optional.empty(), false, 0, 0, 0,
                Optional.empty(), Optional.empty(), false, 0, Optional.empty(), List.of());
    }

    public static LocalState stopped(boolean initialized, Optional<String> systemIdentifier) {
        return new LocalState(initialized, RunState.STOPPED, Optional.empty(), systemIdentifier, false, 0, 0, 0,
                Optional.empty(), Optional.empty(), false, 0, Optional.empty(), List.of());
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
