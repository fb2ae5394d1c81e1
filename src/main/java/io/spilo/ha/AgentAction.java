package io.spilo.ha;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;

/** An operator's request that the HA loop carries out on its own thread (REST POST/DELETE). */
public sealed interface AgentAction {
    /**
     * Restart PostgreSQL.
     * @param onlyIfPendingRestart do nothing unless a parameter change waits for a restart
     * @param role only if this member has this role (primary or replica)
     * @param scheduledAt restart then instead of now
     */
    record Restart(boolean onlyIfPendingRestart, Optional<String> role, Optional<OffsetDateTime> scheduledAt,
            Optional<Duration> timeout) implements AgentAction {
    }

    /** Forget a scheduled restart. */
    record CancelRestart() implements AgentAction {
    }

    /** Rewrite the configuration files and make PostgreSQL reload them. */
    record Reload() implements AgentAction {
    }

    /** Throw away the data directory of this replica and clone it from the leader again. */
    record Reinitialize(boolean force) implements AgentAction {
    }
}
