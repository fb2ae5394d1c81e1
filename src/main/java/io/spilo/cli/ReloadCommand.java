package io.spilo.cli;

import io.spilo.dcs.ClusterView;
import io.spilo.dcs.Member;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "reload", description = "Make members reload their configuration (all by default).")
final class ReloadCommand extends OperatorCommand {
    @Parameters(index = "0", paramLabel = "CLUSTER")
    String cluster;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "MEMBER")
    List<String> members = new ArrayList<>();

    @Override
    public Integer call() {
        try (ClusterClient client = client(Optional.of(cluster))) {
            ClusterView view = client.read();
            List<Member> targets = members.isEmpty() ? view.members() : members.stream().map(name -> member(view, name)).toList();
            int exit = ExitCodes.OK;
            for (Member member : targets) {
                ClusterClient.Reply reply = client.call(member, "POST", "/reload", "", Duration.ofSeconds(60));
                out().println((reply.succeeded() ? "Reload request received for member " : "Failed: reload on member ")
                        + member.name() + (reply.succeeded() ? "" : ": " + reply.body().strip()));
                exit = reply.succeeded() ? exit : ExitCodes.FAILURE;
            }
            out().flush();
            return exit;
        }
    }
}
