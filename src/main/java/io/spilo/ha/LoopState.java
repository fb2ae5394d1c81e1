package io.spilo.ha;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The agent's mutable state between cycles. Confined to the HA loop thread: the stages of a cycle
 * read and change it, nobody else touches it (HTTP handlers read the published {@link NodeStatus}).
 */
final class LoopState {
    AgentMemory memory = AgentMemory.initial();
    /** synchronous_standby_names as this leader runs PostgreSQL with it; empty until known. */
    Optional<List<String>> synchronousStandbyNames = Optional.empty();
    /** Since when each replication slot of a departed member has been unwanted (monotonic nanos). */
    Map<String, Long> unwantedSlotsSince = new HashMap<>();
    long lastPublishedOptime = -1;
    /** The leader's WAL position right after synchronous_standby_names last changed (see {@link SynchronousPlan#plan}). */
    long standbyNamesEnabledAt;
    Optional<AgentAction.Restart> scheduledRestart = Optional.empty();
    /** The leader a sticky pg_rewind failure happened against; a new leader is a new chance. */
    Optional<String> rewindFailedAgainst = Optional.empty();
}
