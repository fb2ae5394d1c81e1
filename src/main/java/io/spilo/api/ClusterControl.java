package io.spilo.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.Switchover;
import io.spilo.ha.AgentAction;
import java.util.concurrent.CompletableFuture;

/** What the REST API's actions may do to the cluster: the store's requests, and the local agent's actions. */
public interface ClusterControl {
    /** A fresh read of the cluster (not the loop's last snapshot). */
    ClusterView read();

    boolean requestSwitchover(Switchover request);

    void clearSwitchover();

    boolean replaceConfig(ObjectNode config, long expectedModRevision);

    /** The parameter names this member's PostgreSQL knows (pg_settings); empty while it is not running. */
    java.util.Set<String> knownParameterNames();

    /** A leader's {@code POST /failsafe} (failsafe mode). */
    io.spilo.ha.FailsafeReply acceptFailsafe(String leader);

    /** Hands an action to the HA loop; completes when the loop has handled it. */
    CompletableFuture<io.spilo.ha.ActionOutcome> submit(AgentAction action);
}
