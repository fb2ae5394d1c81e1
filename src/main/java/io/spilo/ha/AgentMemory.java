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
 * @param replicaStalledSince since when this running replica has not been streaming from a leader
 *     on a newer timeline (it may have diverged and need a rewind)
 * @param actionInProgress the long action running on the executor, if any
 * @param waitingForCandidateSince since when this member has waited, with no leader, for the
 *     candidate named in the {@code failover} key to take over
 * @param writeStalledSince since when the leader's write probe has not seen a commit reach its
 *     disk (a frozen or failing file system)
 */
public record AgentMemory(
        OptionalLong leadershipConfirmedAt,
        OptionalLong primaryDownSince,
        OptionalLong releasedLeadershipAt,
        Optional<String> rewindFailure,
        OptionalLong replicaStalledSince,
        Optional<ActionInProgress> actionInProgress,
        OptionalLong waitingForCandidateSince,
        OptionalLong writeStalledSince) {
    public static AgentMemory initial() {
        return new AgentMemory(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), Optional.empty(),
                OptionalLong.empty(), Optional.empty(), OptionalLong.empty(), OptionalLong.empty());
    }

    public static AgentMemory confirmedAt(long nanos) {
        return initial().withLeadershipConfirmedAt(OptionalLong.of(nanos));
    }

    public AgentMemory withLeadershipConfirmedAt(OptionalLong value) {
        return new AgentMemory(value, primaryDownSince, releasedLeadershipAt, rewindFailure, replicaStalledSince,
                actionInProgress, waitingForCandidateSince, writeStalledSince);
    }

    public AgentMemory withPrimaryDownSince(OptionalLong value) {
        return new AgentMemory(leadershipConfirmedAt, value, releasedLeadershipAt, rewindFailure, replicaStalledSince,
                actionInProgress, waitingForCandidateSince, writeStalledSince);
    }

    public AgentMemory withReleasedLeadershipAt(OptionalLong value) {
        return new AgentMemory(leadershipConfirmedAt, primaryDownSince, value, rewindFailure, replicaStalledSince,
                actionInProgress, waitingForCandidateSince, writeStalledSince);
    }

    public AgentMemory withRewindFailure(Optional<String> value) {
        return new AgentMemory(leadershipConfirmedAt, primaryDownSince, releasedLeadershipAt, value, replicaStalledSince,
                actionInProgress, waitingForCandidateSince, writeStalledSince);
    }

    public AgentMemory withReplicaStalledSince(OptionalLong value) {
        return new AgentMemory(leadershipConfirmedAt, primaryDownSince, releasedLeadershipAt, rewindFailure, value,
                actionInProgress, waitingForCandidateSince, writeStalledSince);
    }

    public AgentMemory withActionInProgress(Optional<ActionInProgress> value) {
        return new AgentMemory(leadershipConfirmedAt, primaryDownSince, releasedLeadershipAt, rewindFailure,
                replicaStalledSince, value, waitingForCandidateSince, writeStalledSince);
    }

    public AgentMemory withWaitingForCandidateSince(OptionalLong value) {
        return new AgentMemory(leadershipConfirmedAt, primaryDownSince, releasedLeadershipAt, rewindFailure,
                replicaStalledSince, actionInProgress, value, writeStalledSince);
    }

    public AgentMemory withWriteStalledSince(OptionalLong value) {
        return new AgentMemory(leadershipConfirmedAt, primaryDownSince, releasedLeadershipAt, rewindFailure,
                replicaStalledSince, actionInProgress, waitingForCandidateSince, value);
    }
}
