package io.spilo.ha;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the HA loop remembers between cycles and the rules need: all times are monotonic nanos.
 *
 * @param leadershipConfirmedAt when leadership was last proved (lease renewal sent, key on that lease)
 * @param primaryDownSince since when this key holder's PostgreSQL has not been running
 * @param releasedLeadershipAt when this member last gave the leader key up because its PostgreSQL
 *     would not run; it does not race again for one ttl, so a healthy replica takes over
 * @param rewindFailure why the last pg_rewind failed, until the data directory is replaced
 */
public record AgentMemory(
        OptionalLong leadershipConfirmedAt,
        OptionalLong primaryDownSince,
        OptionalLong releasedLeadershipAt,
        Optional<String> rewindFailure) {
    public static AgentMemory initial() {
        return new AgentMemory(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), Optional.empty());
    }

    public static AgentMemory confirmedAt(long nanos) {
        return initial().withLeadershipConfirmedAt(OptionalLong.of(nanos));
    }

    public AgentMemory withLeadershipConfirmedAt(OptionalLong value) {
        return new AgentMemory(value, primaryDownSince, releasedLeadershipAt, rewindFailure);
    }

    public AgentMemory withPrimaryDownSince(OptionalLong value) {
        return new AgentMemory(leadershipConfirmedAt, value, releasedLeadershipAt, rewindFailure);
    }

    public AgentMemory withReleasedLeadershipAt(OptionalLong value) {
        return new AgentMemory(leadershipConfirmedAt, primaryDownSince, value, rewindFailure);
    }

    public AgentMemory withRewindFailure(Optional<String> value) {
        return new AgentMemory(leadershipConfirmedAt, primaryDownSince, releasedLeadershipAt, value);
    }
}
