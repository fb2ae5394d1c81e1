package io.spilo.ha;

import io.spilo.fence.Fence;
import io.spilo.fence.FenceState;
import io.spilo.postgres.LocalState;
import java.time.Duration;
import java.util.Optional;

/**
 * When the fence is armed and how long it may wait (DESIGN §4 invariant 1 without trusting the
 * agent to stay alive). The fence is armed before PostgreSQL runs as primary under this member's
 * leadership and fed with the rest of the leadership window after every confirmed renewal; a
 * window that lapses without a renewal lets it fire, whatever the loop is doing. It is disarmed
 * once PostgreSQL no longer runs as a primary, and while the cluster is paused (the operator
 * manages PostgreSQL then, as Patroni does with its watchdog). Loop thread only.
 */
final class FenceKeeper {
    private final Fence fence;

    FenceKeeper(Fence fence) {
        this.fence = fence;
    }

    FenceState state() {
        return fence.state();
    }

    /**
     * Right before PostgreSQL is promoted or started as the leader: arms the fence for the rest of
     * the confirmed leadership window. False when leadership must not go on (a required fence could
     * not be armed, or the window already lapsed).
     */
    boolean armForPrimary(AgentMemory memory, LocalState local, HaSettings settings, long nowNanos) {
        if (settings.paused()) {
            return true;
        }
        Optional<Duration> left = windowLeft(memory, settings, nowNanos);
        return left.isPresent() && fence.hold(local.postmasterPid().orElse(0L), left.get(), leaseLeft(memory, settings, nowNanos));
    }

    /** After each cycle: feed it while leadership is confirmed, let it run down when not, disarm it when PostgreSQL is no primary. */
    void reconcile(AgentMemory memory, LocalState local, Optional<ActionInProgress> action, HaSettings settings, long nowNanos) {
        boolean becomingPrimary = action.map(ActionInProgress::state)
                .filter(state -> state == MemberState.PROMOTING || state == MemberState.INITIALIZING).isPresent();
        boolean primary = local.running() && !local.inRecovery();
        if (settings.paused() || (!primary && !becomingPrimary && !startingAsLeader(local, memory))) {
            fence.release();
            return;
        }
        Optional<Duration> left = windowLeft(memory, settings, nowNanos);
        if (left.isPresent()) {
            fence.hold(local.postmasterPid().orElse(0L), left.get(), leaseLeft(memory, settings, nowNanos));
        }
        // Otherwise the fence, if armed, runs down to its deadline: the loop demotes first, or it fires.
    }

    /** A leader whose PostgreSQL is being started in place (a crash restart): still a primary to fence. */
    private static boolean startingAsLeader(LocalState local, AgentMemory memory) {
        return local.postmasterPid().isPresent() && memory.leadershipConfirmedAt().isPresent();
    }

    /** The leadership window left after the last confirmed renewal; empty when there is none or it lapsed. */
    private static Optional<Duration> windowLeft(AgentMemory memory, HaSettings settings, long nowNanos) {
        if (memory.leadershipConfirmedAt().isEmpty()) {
            return Optional.empty();
        }
        long left = memory.leadershipConfirmedAt().getAsLong() + settings.leadershipValidityNanos() - nowNanos;
        return left > 0 ? Optional.of(Duration.ofNanos(left)) : Optional.empty();
    }

    /** Until the lease renewed at the last confirmation can expire: another member may be promoted from then on. */
    private static Duration leaseLeft(AgentMemory memory, HaSettings settings, long nowNanos) {
        return Duration.ofNanos(memory.leadershipConfirmedAt().orElse(nowNanos) + settings.ttlNanos() - nowNanos);
    }

    /** On a clean shutdown, once PostgreSQL was stopped (or runs on as a replica). */
    void release() {
        fence.release();
    }
}
