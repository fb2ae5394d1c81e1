package io.spilo.postgres;

import java.time.Duration;

/**
 * How a member without data gets a copy of the cluster (Patroni's {@code create_replica_methods}):
 * {@code basebackup} today; a backup restore is another implementation.
 */
public interface ReplicaCreation {
    /** Fills the empty data directory from {@code upstream}; leaves nothing behind on failure. */
    void createReplica(Upstream upstream, Duration timeout);
}
