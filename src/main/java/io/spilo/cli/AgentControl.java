package io.spilo.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spilo.api.ClusterControl;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.Dcs;
import io.spilo.dcs.Switchover;
import io.spilo.ha.AgentAction;
import io.spilo.ha.HaLoop;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** The agent's REST actions: requests go to etcd, local actions to the HA loop's queue. */
final class AgentControl implements ClusterControl {
    private final Supplier<Dcs> dcs;
    private final Supplier<HaLoop> loop;

    AgentControl(Supplier<Dcs> dcs, Supplier<HaLoop> loop) {
        this.dcs = dcs;
        this.loop = loop;
    }

    @Override
    public ClusterView read() {
        return dcs.get().read();
    }

    @Override
    public boolean requestSwitchover(Switchover request) {
        boolean written = dcs.get().requestSwitchover(request);
        loop.get().wakeUp();
        return written;
    }

    @Override
    public void clearSwitchover() {
        dcs.get().clearSwitchover();
    }

    @Override
    public boolean replaceConfig(ObjectNode config, long expectedModRevision) {
        return dcs.get().replaceConfig(config, expectedModRevision);
    }

    @Override
    public java.util.Set<String> knownParameterNames() {
        return loop.get().knownParameterNames();
    }

    @Override
    public io.spilo.ha.FailsafeReply acceptFailsafe(String leader) {
        return loop.get().acceptFailsafe(leader);
    }

    @Override
    public CompletableFuture<io.spilo.ha.ActionOutcome> submit(AgentAction action) {
        return loop.get().submit(action);
    }
}
