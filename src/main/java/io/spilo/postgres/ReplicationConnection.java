package io.spilo.postgres;

/** One row of {@code pg_stat_replication} on a primary. */
public record ReplicationConnection(
        String applicationName, String clientAddress, String state, int syncPriority, String syncState, String userName) {
}
