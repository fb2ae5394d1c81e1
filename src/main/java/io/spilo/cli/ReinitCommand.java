package io.spilo.cli;

import io.spilo.dcs.Member;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "reinit", description = "Throw away a replica's data and clone it again from the leader.")
final class ReinitCommand extends OperatorCommand {
    @Parameters(index = "0", paramLabel = "CLUSTER")
    String cluster;

    @Parameters(index = "1", paramLabel = "MEMBER")
    String memberName;

    @Option(names = "--force", description = "do not ask for confirmation")
    boolean force;

    @Override
    public Integer call() {
        try (ClusterClient client = client(Optional.of(cluster))) {
            Member member = member(client.read(), memberName);
            if (!force && !confirm("Are you sure you want to reinitialize member " + memberName + "?")) {
                throw new CommandFailure(ExitCodes.ABORTED, "aborted");
            }
            return report(client.call(member, "POST", "/reinitialize", "{\"force\": true}", Duration.ofMinutes(2)),
                    "reinitialize of member " + memberName);
        }
    }
}
