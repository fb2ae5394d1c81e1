package io.spilo.ha;

import io.spilo.config.BootstrapConfig;
import io.spilo.postgres.Postgres;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The first member's data for a new cluster: initdb, or a restore from a backup
 * ({@code bootstrap.method}) replayed to its target. Runs on the long-action thread; on return
 * PostgreSQL runs as a primary with the replication role in place.
 */
final class NewClusterData {
    /** How long a restored cluster may replay WAL to its recovery target before the bootstrap is abandoned. */
    private static final Duration RECOVERY_TIMEOUT = Duration.ofHours(12);

    private final Postgres postgres;
    private final BootstrapConfig bootstrap;
    private final Duration startTimeout;

    NewClusterData(Postgres postgres, BootstrapConfig bootstrap, Duration startTimeout) {
        this.postgres = postgres;
        this.bootstrap = bootstrap;
        this.startTimeout = startTimeout;
    }

    String description() {
        return bootstrap.method().map(method -> "restoring a new cluster from a backup (bootstrap method " + method.name() + ")")
                .orElse("initializing a new cluster");
    }

    void create(Map<String, String> parameters) {
        if (bootstrap.method().isPresent()) {
            // The first start replays to the recovery target and promotes; the settings that steered it go afterwards.
            Map<String, String> firstStart = new LinkedHashMap<>(parameters);
            firstStart.putAll(postgres.restoreFromBackup());
            postgres.writeConfiguration(false, Optional.empty(), firstStart);
            postgres.start(startTimeout);
            postgres.finishRecovery(RECOVERY_TIMEOUT);
            postgres.writeConfiguration(false, Optional.empty(), parameters);
            postgres.reload();
        } else {
            postgres.initialize(bootstrap.initdbOptions());
            postgres.writeConfiguration(false, Optional.empty(), parameters);
            postgres.start(startTimeout);
        }
        postgres.ensureReplicationRole();
    }
}
