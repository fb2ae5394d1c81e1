package io.spilo.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.spilo.dcs.ClusterView;
import io.spilo.dcs.DynamicConfig;
import io.spilo.dcs.Leader;
import io.spilo.dcs.Member;
import io.spilo.postgres.LocalState;
import io.spilo.postgres.RunState;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The preconditions of operators' actions, as Patroni answers them. */
class OperatorRulesTest {
    private static final AgentAction.Restart NOW = new AgentAction.Restart(false, Optional.empty(), Optional.empty(), Optional.empty());
    private static final Optional<ActionInProgress> IDLE = Optional.empty();

    private static LocalState running(boolean inRecovery, boolean pendingRestart) {
        return new LocalState(true, RunState.RUNNING, Optional.of(1L), Optional.of("1"), inRecovery, 1, 100, 100, Optional.empty(),
                Optional.empty(), inRecovery, 150000, Optional.empty(), List.of(), Optional.empty(), 0, pendingRestart);
    }

    private static ClusterView ledBy(Optional<String> leader) {
        Member node1 = new Member("node1", "postgres://127.0.0.1:5432/postgres", "http://127.0.0.1:8008/patroni", "running",
                "primary", 100, 1, Map.of());
        return new ClusterView(Optional.of("1"), leader.map(name -> new Leader(name, 1, 1)), List.of(node1), DynamicConfig.empty(),
                true, 100, List.of(), Optional.empty(), Optional.empty(), 1);
    }

    @Test
    void aRestartNeedsARunningServerOfTheRequestedRoleAndAPendingRestartWhenAskedFor() {
        assertThat(OperatorRules.restartRefusal(NOW, running(false, false), IDLE)).isEmpty();
        assertThat(OperatorRules.restartRefusal(NOW, LocalState.empty(), IDLE))
                .hasValueSatisfying(outcome -> assertThat(outcome).isInstanceOf(ActionOutcome.Unavailable.class));
        AgentAction.Restart replicasOnly = new AgentAction.Restart(false, Optional.of("replica"), Optional.empty(), Optional.empty());
        assertThat(OperatorRules.restartRefusal(replicasOnly, running(false, false), IDLE))
                .hasValueSatisfying(outcome -> assertThat(outcome).isInstanceOf(ActionOutcome.PreconditionFailed.class));
        AgentAction.Restart masterAlias = new AgentAction.Restart(false, Optional.of("master"), Optional.empty(), Optional.empty());
        assertThat(OperatorRules.restartRefusal(masterAlias, running(false, false), IDLE)).isEmpty();
        AgentAction.Restart ifPending = new AgentAction.Restart(true, Optional.empty(), Optional.empty(), Optional.empty());
        assertThat(OperatorRules.restartRefusal(ifPending, running(true, false), IDLE))
                .hasValueSatisfying(outcome -> assertThat(outcome).isInstanceOf(ActionOutcome.PreconditionFailed.class));
        assertThat(OperatorRules.restartRefusal(ifPending, running(true, true), IDLE)).isEmpty();
    }

    @Test
    void noOperatorActionStartsWhileALongActionRuns() {
        Optional<ActionInProgress> cloning = Optional.of(new ActionInProgress(MemberState.CREATING_REPLICA, "creating a replica", 0));

        assertThat(OperatorRules.restartRefusal(NOW, running(true, false), cloning))
                .hasValueSatisfying(outcome -> assertThat(outcome.message()).contains("creating a replica"));
        assertThat(OperatorRules.reinitializeRefusal(Optional.of(ledBy(Optional.of("node1"))), "node2", cloning)).isPresent();
    }

    @Test
    void onlyAReplicaOfALedClusterIsReinitialized() {
        assertThat(OperatorRules.reinitializeRefusal(Optional.of(ledBy(Optional.of("node1"))), "node2", IDLE)).isEmpty();
        assertThat(OperatorRules.reinitializeRefusal(Optional.of(ledBy(Optional.of("node1"))), "node1", IDLE))
                .hasValueSatisfying(outcome -> assertThat(outcome.message()).isEqualTo("I am the leader, can not reinitialize"));
        assertThat(OperatorRules.reinitializeRefusal(Optional.of(ledBy(Optional.empty())), "node2", IDLE))
                .hasValueSatisfying(outcome -> assertThat(outcome.message()).isEqualTo("Cluster has no leader, can not reinitialize"));
        assertThat(OperatorRules.reinitializeRefusal(Optional.empty(), "node2", IDLE)).isPresent();
    }
}
