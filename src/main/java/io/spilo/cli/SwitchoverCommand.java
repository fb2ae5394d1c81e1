package io.spilo.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.Member;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "switchover", description = "Hand the leadership to a replica, gracefully.")
final class SwitchoverCommand extends OperatorCommand {
    @Parameters(arity = "0..1", paramLabel = "CLUSTER")
    String cluster;

    @Option(names = {"--leader", "--primary", "--master"}, paramLabel = "NAME", description = "the current leader")
    String leader;

    @Option(names = "--candidate", paramLabel = "NAME", description = "the member to promote (default: the best replica)")
    String candidate;

    @Option(names = "--scheduled", paramLabel = "TIME", description = "ISO 8601 time with zone, or 'now'")
    String scheduled;

    @Option(names = "--force", description = "do not ask for confirmation")
    boolean force;

    @Override
    public Integer call() {
        try (ClusterClient client = client(Optional.ofNullable(cluster))) {
            ClusterView view = client.read();
            Member current = leaderOf(view);
            if (leader != null && !leader.equals(current.name())) {
                throw new CommandFailure(ExitCodes.FAILURE, "member " + leader + " is not the leader of cluster " + client.scope()
                        + " (" + current.name() + " is)");
            }
            ObjectNode body = JSON.createObjectNode().put("leader", current.name());
            if (candidate != null) {
                member(view, candidate);
                body.put("candidate", candidate);
            }
            if (scheduled != null && !scheduled.equals("now")) {
                body.put("scheduled_at", scheduled);
            }
            if (!force && !confirm("Are you sure you want to switchover cluster " + client.scope() + ", demoting current leader "
                    + current.name() + (candidate == null ? "" : " in favour of " + candidate) + "?")) {
                throw new CommandFailure(ExitCodes.ABORTED, "aborted");
            }
            return report(client.call(current, "POST", "/switchover", body.toString(), Duration.ofMinutes(2)), "switchover");
        }
    }
}
