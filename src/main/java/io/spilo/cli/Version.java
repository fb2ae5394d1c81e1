package io.spilo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.spilo.dcs.Member;
import io.spilo.ha.HaLoop;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
                List<Member> members = client.read().members();
                Map<String, JsonNode> statuses = client.statuses(members, Duration.ofSeconds(2));
                for (Member member : members) {
                    JsonNode status = statuses.getOrDefault(member.name(), MissingNode.getInstance());
                    out().println(member.name() + ": Spilo " + status.path("patroni").path("version").asText("?")
                            + " PostgreSQL " + status.path("server_version").asText("?"));
                }
            }
        }
        out().flush();
        return ExitCodes.OK;
    }
}
