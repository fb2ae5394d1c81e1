package io.spilo.cli;

import io.spilo.dcs.ClusterView;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "topology", description = "Show the members as a tree: the leader and who follows it.")
final class Topology extends OperatorCommand {
    @Parameters(arity = "0..1", paramLabel = "CLUSTER")
    String cluster;

    @Override
    public Integer call() throws Exception {
        try (ClusterClient client = client(Optional.ofNullable(cluster))) {
            ClusterView view = client.read();
            out().print(ClusterTable.render(client.scope(), view, client.statuses(view.members(), ListMembers.STATUS_TIMEOUT), "pretty",
                    true));
            out().flush();
            return ExitCodes.OK;
        }
    }
}
