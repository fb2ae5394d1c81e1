package io.spilo.ha;

import io.spilo.postgres.LocalState;
import io.spilo.postgres.Postgres;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operators' requests (REST POST/DELETE) queued by any thread and carried out by the loop thread;
 * a restart or a reinitialize runs on the long-action executor like any other long action.
 */
final class OperatorActions {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorActions.class);

    /** An action and where its answer goes. */
    private record Pending(AgentAction action, CompletableFuture<ActionOutcome> answer) {
    }

    private final String me;
    private final Duration defaultTimeout;
    private final Postgres postgres;
    private final LongActionRunner runner;
    private final LoopState state;
    private final PrimaryDuties duties;
    private final Runnable wakeUp;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();

    OperatorActions(String me, Duration defaultTimeout, Postgres postgres, LongActionRunner runner, LoopState state,
            PrimaryDuties duties, Runnable wakeUp) {
        this.me = me;
        this.defaultTimeout = defaultTimeout;
        this.postgres = postgres;
        this.runner = runner;
        this.state = state;
        this.duties = duties;
        this.wakeUp = wakeUp;
    }

    /** Safe from any thread; never blocks. */
    CompletableFuture<ActionOutcome> submit(AgentAction action) {
        CompletableFuture<ActionOutcome> answer = new CompletableFuture<>();
        queue.add(new Pending(action, answer));
        wakeUp.run();
        return answer;
    }

    /** On the loop thread: a due scheduled restart, then every queued request. */
    void handle(Cycle cycle) {
        if (state.scheduledRestart.isPresent()
                && state.scheduledRestart.get().scheduledAt().map(at -> !cycle.wallNow().isBefore(at)).orElse(true)) {
            AgentAction.Restart due = state.scheduledRestart.get();
            state.scheduledRestart = Optional.empty();
            restart(new AgentAction.Restart(due.onlyIfPendingRestart(), due.role(), Optional.empty(), due.timeout()))
                    .thenAccept(outcome -> LOG.info("scheduled restart: {}", outcome.message()));
        }
        Pending pending;
        while ((pending = queue.poll()) != null) {
            CompletableFuture<ActionOutcome> outcome;
            try {
                outcome = perform(pending.action(), cycle);
            } catch (RuntimeException e) {
                outcome = CompletableFuture.completedFuture(new ActionOutcome.Unavailable(e.getMessage()));
            }
            CompletableFuture<ActionOutcome> answer = pending.answer();
            outcome.whenComplete((result, error) -> answer.complete(
                    error == null ? result : new ActionOutcome.Unavailable(error.getMessage())));
        }
    }

    private CompletableFuture<ActionOutcome> perform(AgentAction action, Cycle cycle) {
        if (action instanceof AgentAction.Restart restart) {
            if (restart.scheduledAt().isEmpty()) {
                return restart(restart);
            }
            if (state.scheduledRestart.isPresent()) {
                return done(new ActionOutcome.Conflict("Cannot schedule restart: another restart is already scheduled"));
            }
            state.scheduledRestart = Optional.of(restart);
            return done(new ActionOutcome.Accepted("Restart scheduled"));
        }
        if (action instanceof AgentAction.CancelRestart) {
            if (state.scheduledRestart.isEmpty()) {
                return done(new ActionOutcome.NotFound("no restart is scheduled"));
            }
            state.scheduledRestart = Optional.empty();
            return done(new ActionOutcome.Done("scheduled restart deleted"));
        }
        if (action instanceof AgentAction.Reload) {
            if (cycle.local().running() && cycle.view().isPresent()) {
                duties.applyConfiguration(cycle);
                postgres.reload();
            }
            return done(new ActionOutcome.Accepted("reload scheduled"));
        }
        if (action instanceof AgentAction.Reinitialize) {
            return reinitialize(cycle);
        }
        throw new IllegalStateException("no handler for " + action);
    }

    private CompletableFuture<ActionOutcome> restart(AgentAction.Restart restart) {
        LocalState local = postgres.state();
        Optional<ActionOutcome> refusal = OperatorRules.restartRefusal(restart, local, runner.inProgress());
        if (refusal.isPresent()) {
            return done(refusal.get());
        }
        Duration timeout = restart.timeout().orElse(defaultTimeout);
        CompletableFuture<ActionOutcome> answer = new CompletableFuture<>();
        boolean submitted = runner.submit(MemberState.RESTARTING, "restarting PostgreSQL", () -> {
            postgres.stop(timeout);
            postgres.start(timeout);
            return (view, lease) -> answer.complete(new ActionOutcome.Done("restarted successfully"));
        }, failure -> answer.complete(new ActionOutcome.Unavailable("restart failed: " + failure.getMessage())));
        if (!submitted) {
            return done(new ActionOutcome.Unavailable("cannot restart: another action is in progress"));
        }
        return answer;
    }

    private CompletableFuture<ActionOutcome> reinitialize(Cycle cycle) {
        Optional<ActionOutcome> refusal = OperatorRules.reinitializeRefusal(cycle.view(), me, runner.inProgress());
        if (refusal.isPresent()) {
            return done(refusal.get());
        }
        boolean submitted = runner.submit(MemberState.REINITIALIZING, "reinitializing from the leader", () -> {
            postgres.stop(defaultTimeout);
            postgres.removeDataDirectory();
            return LongActionRunner.FollowUp.NONE;
        }, failure -> LOG.error("reinitialize failed: {}", failure.getMessage()));
        return done(submitted ? new ActionOutcome.Done("reinitialize started")
                : new ActionOutcome.Unavailable("cannot reinitialize: another action is in progress"));
    }

    private static CompletableFuture<ActionOutcome> done(ActionOutcome outcome) {
        return CompletableFuture.completedFuture(outcome);
    }
}
