package io.spilo.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.Member;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "failover", description = "Promote a named member, even when there is no healthy leader.")
final class FailoverCommand extends OperatorCommand {
    @Parameters(arity = "0..1", paramLabel = "CLUSTER")
    String cluster;

    @Option(names = "--candidate", required = true, paramLabel = "NAME", description = "the member to promote")
    String candidate;

    @Option(names = "--force", description = "do not ask for confirmation")
    boolean force;

    @Override
    public Integer call() {
        try (ClusterClient client = client(Optional.ofNullable(cluster))) {
            ClusterView view = client.read();
            Member target = member(view, candidate);
            if (!force && !confirm("Are you sure you want to failover cluster " + client.scope() + " to " + candidate + "?")) {
                throw new CommandFailure(ExitCodes.ABORTED, "aborted");
            }
            Member via = view.leaderMember().orElse(target);
            ObjectNode body = JSON.createObjectNode().put("candidate", candidate);
            return report(client.call(via, "POST", "/failover", body.toString(), Duration.ofMinutes(2)), "failover");
        }
    }
}
