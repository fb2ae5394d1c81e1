package io.spilo.postgres;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The local PostgreSQL instance. Every method is bounded in time and throws
 * {@link PostgresException} with the failing step when it cannot do its work.
 */
public interface Postgres {
    LocalState state();

    /** Runs initdb on an empty data directory, setting the superuser's password. */
    void initialize(List<String> initdbOptions);

    /**
     * Fills the empty data directory from a backup ({@code bootstrap.method}) instead of initdb.
     * @return recovery parameters for the first start (empty when the restore wrote its own)
     */
    Map<String, String> restoreFromBackup();

    /**
     * After the first start of a restored cluster: waits until PostgreSQL has replayed to its target
     * and left recovery (promoting it when it paused there), then removes the recovery settings.
     */
    void finishRecovery(Duration timeout);

    /**
     * Writes {@code postgresql.conf} and {@code pg_hba.conf}; with an upstream, also the standby
     * settings ({@code standby.signal}, {@code primary_conninfo}, {@code primary_slot_name}).
     * Parameters are the cluster-wide ones from the {@code config} key, overridden by local ones.
     * @param standby true to configure a standby (upstream may still be empty: a standby with no primary yet)
     * @return true when a file changed (PostgreSQL must reload or restart to see it)
     */
    boolean writeConfiguration(boolean standby, Optional<Upstream> upstream, Map<String, String> clusterParameters);

    void start(Duration timeout);

    /** Starts PostgreSQL without waiting for it to accept connections (the HA loop keeps running meanwhile). */
    void startInBackground();

    /**
     * SIGKILL of the postmaster and of every backend, without waiting: the one stop that works on a
     * frozen disk (a killed process blocked in a write dies when the write returns, before it can
     * answer a client).
     */
    void killImmediately();

    /**
     * Commits one tiny transaction that must reach the local disk ({@code synchronous_commit = local}):
     * the leader's write probe. Blocks while the disk does; throws when the commit fails.
     */
    void commitHeartbeat();

    /** Stops PostgreSQL (fast shutdown; immediate if that does not finish in time). */
    void stop(Duration timeout);

    /** Rewinds the stopped data directory to {@code source} with pg_rewind (a no-op when nothing diverged). */
    void rewind(Upstream source, Duration timeout);

    void promote(Duration timeout);

    void reload();

    /**
     * The WAL position another member's PostgreSQL has received, asked of it directly (the
     * cluster shares its superuser): used during a switchover, where a status a loop old is too old.
     */
    java.util.OptionalLong receivedPositionOn(String host, int port);

    /** The parameter names the running server knows (pg_settings), lower case; empty when it is not running. */
    java.util.Set<String> parameterNames();

    /** Runs CHECKPOINT on the local server. */
    void checkpoint();

    /**
     * Fills the data directory with the {@code create_replica_methods} in order (pg_basebackup from
     * {@code upstream} by default); leaves nothing behind on failure.
     */
    void cloneFrom(Upstream upstream, Duration timeout);

    /** Creates or updates the replication role from the configuration (run on a new primary). */
    void ensureReplicationRole();

    List<String> physicalReplicationSlots();

    void createPhysicalReplicationSlot(String name);

    void dropReplicationSlot(String name);

    /** Removes the data directory (after a failed bootstrap) so the next attempt starts clean. */
    void removeDataDirectory();

    /** Closes the agent's connection; PostgreSQL itself keeps running. */
    void close();
}
