package io.spilo.ha;

import io.spilo.fence.Fence;
import io.spilo.fence.FenceState;
import java.time.Duration;

/**
 * A fence on the harness clock: it records holds and releases in its member's {@link FakePostgres}
 * call log (so tests can check what happened before a promotion), and fires like the real one when
 * the clock passes its deadline: {@link #fireIfDue()} crashes that PostgreSQL.
 */
public final class FakeFence implements Fence {
    private final FakeClock clock;
    private final FakePostgres postgres;
    private FenceState state = FenceState.DISARMED;
    private long deadlineNanos;
    private long postmasterPid;
    /** A required fence that cannot be armed (watchdog.mode: required without a device). */
    public boolean refuses;

    FakeFence(FakeClock clock, FakePostgres postgres) {
        this.clock = clock;
        this.postgres = postgres;
    }

    @Override
    public boolean hold(long postmasterPid, Duration untilFenced, Duration untilLeaseExpires) {
        if (untilFenced.isNegative() || untilFenced.isZero()) {
            throw new AssertionError("a fence fed with no time left: " + untilFenced);
        }
        if (refuses) {
            postgres.note("fence refused");
            return false;
        }
        this.postmasterPid = postmasterPid;
        this.deadlineNanos = clock.getAsLong() + untilFenced.toNanos();
        state = FenceState.ARMED;
        postgres.note("fence hold");
        return true;
    }

    @Override
    public void release() {
        if (state == FenceState.ARMED) {
            state = FenceState.DISARMED;
            postgres.note("fence release");
        }
    }

    @Override
    public FenceState state() {
        return state;
    }

    public long deadlineNanos() {
        return deadlineNanos;
    }

    public long postmasterPid() {
        return postmasterPid;
    }

    /** What the real fence does without the agent: true when it fired now. */
    public boolean fireIfDue() {
        if (state != FenceState.ARMED || clock.getAsLong() < deadlineNanos) {
            return false;
        }
        state = FenceState.FIRED;
        postgres.crash();
        return true;
    }
}
