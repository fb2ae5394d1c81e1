package io.spilo.fence;

import java.time.Duration;

/**
 * Something outside the agent's JVM that stops the local primary's PostgreSQL when the agent stops
 * proving its leadership: a frozen, deadlocked or killed agent cannot keep a deposed primary
 * taking writes. Called by the loop thread only.
 */
public interface Fence {
    /**
     * Arms the fence if it is not armed, and sets its deadline {@code untilFenced} from now: unless
     * fed again before then, it stops the postmaster {@code postmasterPid}. {@code untilLeaseExpires}
     * is when another member may be promoted: a fence that would act later is no fence. False when
     * the fence could not be armed (it then protects nothing).
     */
    boolean hold(long postmasterPid, Duration untilFenced, Duration untilLeaseExpires);

    /** Disarms the fence: PostgreSQL no longer runs as a primary, or the agent shuts down cleanly. */
    void release();

    FenceState state();

    /** A fence that protects nothing: for members that never lead, and for tests of other parts. */
    Fence NONE = new Fence() {
        @Override
        public boolean hold(long postmasterPid, Duration untilFenced, Duration untilLeaseExpires) {
            return false;
        }

        @Override
        public void release() {
        }

        @Override
        public FenceState state() {
            return FenceState.UNAVAILABLE;
        }
    };
}
