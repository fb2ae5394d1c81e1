package io.spilo.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.DynamicConfig;
import io.spilo.dcs.Leader;
import io.spilo.dcs.Member;
import io.spilo.dcs.Switchover;
import io.spilo.ha.AgentAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** An in-memory cluster for the REST actions: what was requested is recorded, the store is a field. */
final class FakeClusterControl implements ClusterControl {
    ClusterView view = cluster(Optional.of("node1"), Optional.empty(), false);
    final List<Switchover> requests = new ArrayList<>();
    final List<AgentAction> actions = java.util.Collections.synchronizedList(new ArrayList<>());
    io.spilo.ha.ActionOutcome actionResult = new io.spilo.ha.ActionOutcome.Done("done");
    /** The leader the fake cluster elects when a switchover is requested; empty keeps the old one. */
    Optional<String> electOnRequest = Optional.empty();
    int configWrites;
    long staleRevision = -1;
    /** What this member answers a leader's POST /failsafe, and who called. */
    io.spilo.ha.FailsafeReply failsafeReply = io.spilo.ha.FailsafeReply.ACCEPTED;
    final List<String> failsafeCallers = java.util.Collections.synchronizedList(new ArrayList<>());

    @Override
    public io.spilo.ha.FailsafeReply acceptFailsafe(String leader) {
        failsafeCallers.add(leader);
        return failsafeReply;
    }

    static ClusterView cluster(Optional<String> leader, Optional<Switchover> failover, boolean paused) {
        ObjectNode config = JsonNodeFactory.instance.objectNode().put("ttl", 30).put("loop_wait", 10).put("retry_timeout", 10);
        if (paused) {
            config.put("pause", true);
        }
        List<Member> members = List.of(
                new Member("node1", "postgres://127.0.0.1:5432/postgres", "http://127.0.0.1:8008/patroni", "running", "primary", 500, 1, Map.of()),
                new Member("node2", "postgres://127.0.0.1:5433/postgres", "http://127.0.0.1:8009/patroni", "running", "replica", 500, 1, Map.of()),
                new Member("node3", "postgres://127.0.0.1:5434/postgres", "http://127.0.0.1:8010/patroni", "running", "replica", 400, 1,
                        Map.of("nofailover", true)));
        return new ClusterView(Optional.of("1"), leader.map(name -> new Leader(name, 1, 1)), members,
                new DynamicConfig(config, 7), true, 500, List.of(), Optional.empty(), failover, 10);
    }

    @Override
    public ClusterView read() {
        return view;
    }

    @Override
    public boolean requestSwitchover(Switchover request) {
        if (view.failover().isPresent()) {
            return false;
        }
        requests.add(request);
        if (request.scheduledAt().isPresent()) {
            view = cluster(view.leader().map(Leader::name), Optional.of(request), view.config().paused());
        } else if (electOnRequest.isPresent()) {
            view = cluster(electOnRequest, Optional.empty(), view.config().paused());
        } else {
            view = cluster(view.leader().map(Leader::name), Optional.empty(), view.config().paused());
        }
        return true;
    }

    @Override
    public void clearSwitchover() {
        view = cluster(view.leader().map(Leader::name), Optional.empty(), view.config().paused());
    }

    @Override
    public boolean replaceConfig(ObjectNode config, long expectedModRevision) {
        if (expectedModRevision == staleRevision || expectedModRevision != view.config().modRevision()) {
            return false;
        }
        configWrites++;
        view = new ClusterView(view.initialize(), view.leader(), view.members(), new DynamicConfig(config, expectedModRevision + 1),
                true, view.optime(), view.history(), view.sync(), view.failover(), view.revision() + 1);
        return true;
    }

    @Override
    public CompletableFuture<io.spilo.ha.ActionOutcome> submit(AgentAction action) {
        actions.add(action);
        return pendingActions.orElseGet(() -> CompletableFuture.completedFuture(actionResult));
    }

    /** What pg_settings would list; empty: PostgreSQL not running, names not checked. */
    volatile java.util.Set<String> knownParameters = java.util.Set.of();

    @Override
    public java.util.Set<String> knownParameterNames() {
        return knownParameters;
    }

    /** When set, every action answers only when the test completes this future (an agent busy for minutes). */
    volatile Optional<CompletableFuture<io.spilo.ha.ActionOutcome>> pendingActions = Optional.empty();
}
