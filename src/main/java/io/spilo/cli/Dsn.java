package io.spilo.cli;

import io.spilo.dcs.ClusterView;
import io.spilo.dcs.Member;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "dsn", description = "Print a libpq connection string for the leader (or a member).")
final class Dsn extends OperatorCommand {
    @Parameters(arity = "0..1", paramLabel = "CLUSTER")
    String cluster;

    @Option(names = "--member", paramLabel = "NAME", description = "this member instead of the leader")
    String memberName;

    @Option(names = "--role", paramLabel = "ROLE", description = "leader (default), primary or replica")
    String role = "leader";

    @Override
    public Integer call() {
        try (ClusterClient client = client(Optional.ofNullable(cluster))) {
            ClusterView view = client.read();
            Member member;
            if (memberName != null) {
                member = member(view, memberName);
            } else if (role.equals("replica")) {
                member = view.members().stream().filter(candidate -> !view.isLeader(candidate.name())).findFirst()
                        .orElseThrow(() -> new CommandFailure(ExitCodes.FAILURE, "the cluster has no replica"));
            } else {
                member = leaderOf(view);
            }
            out().println("host=" + member.postgresHost().orElse("") + " port=" + member.postgresPort().orElse(5432));
            out().flush();
            return ExitCodes.OK;
        }
    }
}
