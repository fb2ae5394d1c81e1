package io.spilo.postgres;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code create_replica_methods}: each method in order until one makes the replica; a failed one leaves an empty directory. */
final class ReplicaMethods implements ReplicaCreation {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaMethods.class);

    private final List<Map.Entry<String, ReplicaCreation>> methods;
    private final DataDirectory directory;

    ReplicaMethods(List<Map.Entry<String, ReplicaCreation>> methods, DataDirectory directory) {
        this.methods = List.copyOf(methods);
        this.directory = directory;
    }

    @Override
    public void createReplica(Upstream upstream, Duration timeout) {
        PostgresException last = null;
        for (Map.Entry<String, ReplicaCreation> method : methods) {
            try {
                method.getValue().createReplica(upstream, timeout);
                LOG.info("replica created with method {}", method.getKey());
                return;
            } catch (PostgresException e) {
                last = e;
                directory.empty();
                LOG.warn("replica method {} failed{}: {}", method.getKey(),
                        method == methods.get(methods.size() - 1) ? "" : ", trying the next one", e.getMessage());
            }
        }
        throw last;
    }
}
