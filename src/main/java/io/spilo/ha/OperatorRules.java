package io.spilo.ha;

import io.spilo.dcs.ClusterView;
import io.spilo.postgres.LocalState;
import java.util.Optional;

/** The pure preconditions of operator actions; each answers why the action may not run, if it may not. */
public final class OperatorRules {
    private OperatorRules() {
    }

    /** Patroni's role name for a member's PostgreSQL. */
    public static String roleName(LocalState local) {
        if (!local.running()) {
            return local.dataDirectoryInitialized() ? "replica" : "uninitialized";
        }
        return local.inRecovery() ? "replica" : "primary";
    }

    public static Optional<ActionOutcome> restartRefusal(AgentAction.Restart restart, LocalState local,
            Optional<ActionInProgress> busy) {
        if (busy.isPresent()) {
            return Optional.of(new ActionOutcome.Unavailable("cannot restart: " + busy.get().description() + " is in progress"));
        }
        if (!local.running()) {
            return Optional.of(new ActionOutcome.Unavailable("PostgreSQL is not running"));
        }
        String role = roleName(local);
        if (restart.role().isPresent() && !restart.role().get().equals(role)
                && !(restart.role().get().equals("master") && role.equals("primary"))) {
            return Optional.of(new ActionOutcome.PreconditionFailed("restart conditions are not satisfied: role is " + role));
        }
        if (restart.onlyIfPendingRestart() && !local.pendingRestart()) {
            return Optional.of(new ActionOutcome.PreconditionFailed(
                    "restart conditions are not satisfied: no restart is pending"));
        }
        return Optional.empty();
    }

    public static Optional<ActionOutcome> reinitializeRefusal(Optional<ClusterView> view, String me,
            Optional<ActionInProgress> busy) {
        if (busy.isPresent()) {
            return Optional.of(new ActionOutcome.Unavailable("cannot reinitialize: " + busy.get().description()
                    + " is in progress"));
        }
        if (view.isEmpty()) {
            return Optional.of(new ActionOutcome.Unavailable("etcd is not reachable, can not reinitialize"));
        }
        if (view.get().isLeader(me)) {
            return Optional.of(new ActionOutcome.Unavailable("I am the leader, can not reinitialize"));
        }
        if (view.get().leaderMember().isEmpty()) {
            return Optional.of(new ActionOutcome.Unavailable("Cluster has no leader, can not reinitialize"));
        }
        return Optional.empty();
    }
}
