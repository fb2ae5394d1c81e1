package io.spilo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.spilo.dcs.Member;
import io.spilo.ha.HaLoop;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "version", description = "Print the Spilo version, and with -c or --dcs the version of each member.")
final class Version extends OperatorCommand {
    @Parameters(arity = "0..1", paramLabel = "CLUSTER")
    String cluster;

    @Override
    public Integer call() {
        out().println("spilo version " + HaLoop.VERSION);
        if (options.configFile != null || options.dcsUrl != null) {
            try (ClusterClient client = client(Optional.ofNullable(cluster))) {
                for (Member member : client.read().members()) {
                    JsonNode status = client.status(member);
                    out().println(member.name() + ": Spilo " + status.path("patroni").path("version").asText("?")
                            + " PostgreSQL " + status.path("server_version").asText("?"));
                }
            }
        }
        out().flush();
        return ExitCodes.OK;
    }
}
