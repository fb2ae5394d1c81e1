package io.spilo.postgres;

/**
 * One row of {@code pg_stat_replication} on a primary.
 *
 * @param flushPosition WAL the standby has written to disk ({@code flush_lsn}), 0 when unknown
 */
public record ReplicationConnection(
        String applicationName, String clientAddress, String state, int syncPriority, String syncState, String userName,
        long flushPosition) {
}
