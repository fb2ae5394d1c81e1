package io.spilo.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.Member;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "restart", description = "Restart PostgreSQL on members (all by default).")
final class RestartCommand extends OperatorCommand {
    @Parameters(index = "0", paramLabel = "CLUSTER", description = "the cluster (its scope)")
    String cluster;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "MEMBER")
    List<String> members = new ArrayList<>();

    @Option(names = "--pending", description = "only members with pending_restart")
    boolean pending;

    @Option(names = "--scheduled", paramLabel = "TIME", description = "ISO 8601 time with zone")
    String scheduled;

    @Option(names = "--role", paramLabel = "ROLE", description = "only members with this role: primary, replica or any")
    String role = "any";

    @Option(names = "--force", description = "do not ask for confirmation")
    boolean force;

    @Override
    public Integer call() {
        try (ClusterClient client = client(Optional.of(cluster))) {
            ClusterView view = client.read();
            List<Member> targets = members.isEmpty() ? view.members() : members.stream().map(name -> member(view, name)).toList();
            if (!force && !confirm("Restart PostgreSQL on " + targets.stream().map(Member::name).toList() + "?")) {
                throw new CommandFailure(ExitCodes.ABORTED, "aborted");
            }
            ObjectNode body = JSON.createObjectNode();
            if (pending) {
                body.put("restart_pending", true);
            }
            if (!role.equals("any")) {
                body.put("role", role);
            }
            if (scheduled != null) {
                body.put("schedule", scheduled);
            }
            int exit = ExitCodes.OK;
            for (Member member : targets) {
                ClusterClient.Reply reply = client.call(member, "POST", "/restart", body.toString(), Duration.ofMinutes(5));
                out().println((reply.succeeded() ? "Success: " : "Failed: ") + "restart on member " + member.name() + ": "
                        + reply.body().strip());
                if (!reply.succeeded() && reply.status() != 412) {
                    exit = ExitCodes.FAILURE;
                }
            }
            out().flush();
            return exit;
        }
    }
}
