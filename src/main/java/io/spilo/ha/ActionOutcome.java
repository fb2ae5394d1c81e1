package io.spilo.ha;

/**
 * How the agent answered an operator's action. The REST API maps each kind to Patroni's status
 * code; the HA package knows no HTTP.
 */
public sealed interface ActionOutcome {
    String message();

    /** Done now. */
    record Done(String message) implements ActionOutcome {
    }

    /** Taken on; it happens later (a scheduled restart, a reload). */
    record Accepted(String message) implements ActionOutcome {
    }

    /** Nothing of that kind exists (no scheduled restart to cancel). */
    record NotFound(String message) implements ActionOutcome {
    }

    /** Clashes with something already pending. */
    record Conflict(String message) implements ActionOutcome {
    }

    /** The request's own conditions do not hold (wrong role, no pending restart). */
    record PreconditionFailed(String message) implements ActionOutcome {
    }

    /** The agent cannot do it in its present state, or it failed. */
    record Unavailable(String message) implements ActionOutcome {
    }
}
