package io.spilo.ha;

import io.spilo.dcs.ClusterView;
import io.spilo.dcs.LeaseState;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Runs one long action at a time (promote, restart, clone, rewind, initdb, the stop of a
 * switchover) off the loop thread, so the loop keeps renewing the lease and publishing status
 * meanwhile — Patroni's async executor. The work returns a {@link FollowUp} that the loop thread
 * applies in its next cycle: state the loop owns is changed only there.
 */
final class LongActionRunner {
    /** The part of a long action done off the loop thread. Throws a runtime exception when it fails. */
    @FunctionalInterface
    interface Work {
        FollowUp run();
    }

    /**
     * What the loop thread does with a finished action, in the cycle after it finished: after that
     * cycle read the store, before it probes PostgreSQL and decides.
     */
    @FunctionalInterface
    interface FollowUp {
        FollowUp NONE = (view, lease) -> {
        };

        void apply(Optional<ClusterView> view, Optional<LeaseState> lease);
    }

    /** A finished action waiting for the loop thread. */
    sealed interface Finished {
        ActionInProgress action();

        record Succeeded(ActionInProgress action, FollowUp followUp) implements Finished {
        }

        record Failed(ActionInProgress action, RuntimeException cause, Consumer<RuntimeException> onFailure)
                implements Finished {
        }

        /** An {@link Error} on the executor: the loop ends the process, as it would for its own. */
        record Crashed(ActionInProgress action, Error error) implements Finished {
        }
    }

    private final Executor executor;
    private final Runnable wakeUp;
    private final java.util.function.LongSupplier nanoClock;
    private final Object lock = new Object();
    // Guarded by lock.
    private ActionInProgress running;
    // Guarded by lock.
    private Finished finished;

    LongActionRunner(Executor executor, Runnable wakeUp, java.util.function.LongSupplier nanoClock) {
        this.executor = executor;
        this.wakeUp = wakeUp;
        this.nanoClock = nanoClock;
    }

    /**
     * Hands {@code work} to the executor unless another action is running or waits to be taken.
     * {@code onFailure} runs on the loop thread if the work throws.
     */
    boolean submit(MemberState memberState, String description, Work work, Consumer<RuntimeException> onFailure) {
        ActionInProgress action = new ActionInProgress(memberState, description, nanoClock.getAsLong());
        synchronized (lock) {
            if (running != null || finished != null) {
                return false;
            }
            running = action;
        }
        try {
            executor.execute(() -> {
                Finished result;
                try {
                    result = new Finished.Succeeded(action, work.run());
                } catch (RuntimeException e) {
                    result = new Finished.Failed(action, e, onFailure);
                } catch (Error e) {
                    result = new Finished.Crashed(action, e);
                }
                synchronized (lock) {
                    running = null;
                    finished = result;
                }
                wakeUp.run();
            });
        } catch (RejectedExecutionException e) {
            synchronized (lock) {
                running = null;
            }
            return false;
        }
        return true;
    }

    /** The action running now, or finished and not yet taken by the loop. */
    Optional<ActionInProgress> inProgress() {
        synchronized (lock) {
            if (running != null) {
                return Optional.of(running);
            }
            return Optional.ofNullable(finished).map(Finished::action);
        }
    }

    Optional<Finished> takeFinished() {
        synchronized (lock) {
            Finished result = finished;
            finished = null;
            return Optional.ofNullable(result);
        }
    }
}
