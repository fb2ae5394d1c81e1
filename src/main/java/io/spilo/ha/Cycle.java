package io.spilo.ha;

import io.spilo.dcs.ClusterView;
import io.spilo.dcs.DynamicConfig;
import io.spilo.dcs.LeaseState;
import io.spilo.postgres.LocalState;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * What one HA cycle observed, handed to every stage that acts on it.
 *
 * @param view the cluster as read this cycle; empty when the store did not answer
 * @param lease the lease as renewed this cycle; empty when the store did not answer
 * @param dynamic the cluster configuration in force: the last one read from etcd
 * @param nowNanos monotonic time, read after the store calls
 */
record Cycle(Optional<ClusterView> view, Optional<LeaseState> lease, DynamicConfig dynamic, HaSettings settings,
        LocalState local, long nowNanos, OffsetDateTime wallNow) {
    boolean leading(String me) {
        return view.map(current -> current.isLeader(me)).orElse(false);
    }
}
