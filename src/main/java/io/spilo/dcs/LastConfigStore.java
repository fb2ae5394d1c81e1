package io.spilo.dcs;

import java.util.Optional;

/**
 * Where the agent keeps the last cluster configuration it read from etcd, so that an agent
 * restarted during an etcd outage still runs by the cluster's timing, never by {@code bootstrap.dcs}.
 */
public interface LastConfigStore {
    /** Nothing kept: for tests and for members that must not write beside their data directory. */
    LastConfigStore NONE = new LastConfigStore() {
        @Override
        public Optional<DynamicConfig> load() {
            return Optional.empty();
        }

        @Override
        public void save(DynamicConfig config) {
        }
    };

    Optional<DynamicConfig> load();

    /** Best effort: a failure is logged by the implementation, never thrown. */
    void save(DynamicConfig config);
}
