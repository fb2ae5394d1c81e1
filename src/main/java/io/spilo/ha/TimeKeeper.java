package io.spilo.ha;

import io.spilo.dcs.ClusterView;
import io.spilo.dcs.Leader;
import io.spilo.postgres.LocalState;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the times the rules compare with (since when the leader's PostgreSQL is down, a replica
 * stalls, commits stall, a requested candidate is awaited) and resets a rewind failure when the
 * leader changes. Loop thread only; it writes {@link LoopState#memory}.
 */
final class TimeKeeper {
    private static final Logger LOG = LoggerFactory.getLogger(TimeKeeper.class);

    private final String me;
    private final LoopState state;
    private final WriteProbe writeProbe;

    TimeKeeper(String me, LoopState state, WriteProbe writeProbe) {
        this.me = me;
        this.state = state;
        this.writeProbe = writeProbe;
    }

    void remember(Cycle cycle, Optional<ActionInProgress> action) {
        AgentMemory memory = state.memory.withActionInProgress(action);
        LocalState local = cycle.local();
        boolean keyHolder = cycle.leading(me);
        if (keyHolder && !local.running()) {
            if (memory.primaryDownSince().isEmpty()) {
                memory = memory.withPrimaryDownSince(OptionalLong.of(cycle.nowNanos()));
            }
        } else {
            memory = memory.withPrimaryDownSince(OptionalLong.empty());
        }
        Optional<String> leaderName = cycle.view().flatMap(ClusterView::leader).map(Leader::name);
        if (memory.rewindFailure().isPresent() && leaderName.isPresent() && !leaderName.equals(state.rewindFailedAgainst)) {
            LOG.info("the leader changed to {}: trying pg_rewind again", leaderName.get());
            memory = memory.withRewindFailure(Optional.empty());
            state.rewindFailedAgainst = Optional.empty();
        }
        boolean waitingForCandidate = cycle.view().filter(view -> view.leader().isEmpty())
                .flatMap(view -> view.failover().flatMap(io.spilo.dcs.Switchover::candidate))
                .filter(candidate -> !candidate.equals(me)).isPresent();
        if (!waitingForCandidate) {
            memory = memory.withWaitingForCandidateSince(OptionalLong.empty());
        } else if (memory.waitingForCandidateSince().isEmpty()) {
            memory = memory.withWaitingForCandidateSince(OptionalLong.of(cycle.nowNanos()));
        }
        if (keyHolder && local.isRunningPrimary() && state.memory.leadershipConfirmedAt().isPresent()
                && cycle.settings().writeProbeTimeoutSeconds() > 0) {
            memory = memory.withWriteStalledSince(writeProbe.observe(cycle.nowNanos()));
        } else {
            writeProbe.reset();
            memory = memory.withWriteStalledSince(OptionalLong.empty());
        }
        if (local.isRunningReplica() && !local.streaming()) {
            if (memory.replicaStalledSince().isEmpty()) {
                memory = memory.withReplicaStalledSince(OptionalLong.of(cycle.nowNanos()));
            }
        } else {
            memory = memory.withReplicaStalledSince(OptionalLong.empty());
        }
        state.memory = memory;
    }
}
