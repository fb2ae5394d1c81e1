package io.spilo.ha;

import io.spilo.dcs.Dcs;
import io.spilo.dcs.Member;
import io.spilo.postgres.Postgres;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The graceful hand-over (DESIGN §4 invariant 7): check the candidate, checkpoint so the shutdown
 * is short, stop cleanly (the WAL senders ship everything up to the shutdown checkpoint), make
 * sure the candidate received it, then release the key for the candidate. The stop and the wait
 * run on the long-action executor; the key is released by the loop thread.
 */
final class SwitchoverProcedure {
    private static final Logger LOG = LoggerFactory.getLogger(SwitchoverProcedure.class);
    private static final long POLL_MILLIS = 50;

    private final String me;
    private final Duration stopTimeout;
    private final Dcs dcs;
    private final Postgres postgres;
    private final PeerProbe peers;
    private final LongActionRunner runner;
    private final LoopState state;
    private final LongSupplier nanoClock;
    private final Sleeper sleeper;
    private final Runnable wakeUp;

    SwitchoverProcedure(String me, Duration stopTimeout, Dcs dcs, Postgres postgres, PeerProbe peers,
            LongActionRunner runner, LoopState state, LongSupplier nanoClock, Sleeper sleeper, Runnable wakeUp) {
        this.me = me;
        this.stopTimeout = stopTimeout;
        this.dcs = dcs;
        this.postgres = postgres;
        this.peers = peers;
        this.runner = runner;
        this.state = state;
        this.nanoClock = nanoClock;
        this.sleeper = sleeper;
        this.wakeUp = wakeUp;
    }

    void start(Cycle cycle, String candidate) {
        Member member = cycle.view().orElseThrow().member(candidate).orElseThrow();
        Optional<PeerStatus> answer = peers.probe(List.of(member)).stream().findFirst();
        Optional<String> problem = RaceRules.switchoverCandidateProblem(candidate, answer, cycle.local().walPosition(),
                cycle.settings());
        if (problem.isPresent()) {
            LOG.warn("switchover abandoned: {}", problem.get());
            dcs.clearSwitchoverAsLeader();
            return;
        }
        String host = member.postgresHost().orElse("");
        int port = member.postgresPort().orElse(5432);
        long patienceMillis = cycle.settings().timing().retryTimeoutSeconds() * 1000L;
        long started = nanoClock.getAsLong();
        boolean submitted = runner.submit(MemberState.STOPPING, "switching over to " + candidate, () -> {
            postgres.checkpoint();
            postgres.stop(stopTimeout);
            long shutdownCheckpoint = postgres.state().walPosition();
            if (waitForCandidate(host, port, shutdownCheckpoint, patienceMillis)) {
                return (view, lease) -> release(candidate, started);
            }
            return (view, lease) -> abandon(candidate, shutdownCheckpoint);
        }, failure -> {
            LOG.error("switchover to {} failed: {}; the request is dropped", candidate, failure.getMessage());
            dcs.clearSwitchoverAsLeader();
        });
        if (!submitted) {
            LOG.warn("switchover to {} postponed: another long action is in progress", candidate);
        }
    }

    /**
     * Polls the candidate's PostgreSQL itself (its agent's status may be a loop old) until it has
     * received WAL up to the shutdown checkpoint, for at most retry_timeout (and as many polls).
     */
    private boolean waitForCandidate(String host, int port, long shutdownCheckpoint, long patienceMillis) {
        long attempts = Math.max(1, patienceMillis / POLL_MILLIS);
        long deadline = nanoClock.getAsLong() + patienceMillis * 1_000_000L;
        for (long attempt = 0; attempt < attempts && nanoClock.getAsLong() < deadline; attempt++) {
            if (postgres.receivedPositionOn(host, port).orElse(-1) >= shutdownCheckpoint) {
                return true;
            }
            try {
                sleeper.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private void release(String candidate, long started) {
        long now = nanoClock.getAsLong();
        state.memory = state.memory.withLeadershipConfirmedAt(OptionalLong.empty()).withReleasedLeadershipAt(OptionalLong.of(now));
        dcs.deleteLeader();
        LOG.info("released the leader key to {} ({} ms after the switchover began)", candidate, (now - started) / 1_000_000);
        wakeUp.run();
    }

    /** Not releasing: the candidate could lose commits. Start again as primary; the request is dropped. */
    private void abandon(String candidate, long shutdownCheckpoint) {
        LOG.error("switchover to {} abandoned: it did not confirm WAL up to {} in time; restarting as primary", candidate,
                shutdownCheckpoint);
        dcs.clearSwitchoverAsLeader();
        postgres.startInBackground();
        wakeUp.run();
    }
}
