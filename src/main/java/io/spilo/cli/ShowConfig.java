package io.spilo.cli;

import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "show-config", description = "Print the cluster-wide configuration (YAML).")
final class ShowConfig extends OperatorCommand {
    @Parameters(arity = "0..1", paramLabel = "CLUSTER")
    String cluster;

    @Override
    public Integer call() throws Exception {
        try (ClusterClient client = client(Optional.ofNullable(cluster))) {
            out().print(YAML.writeValueAsString(sorted(client.read().config().json())));
            out().flush();
            return ExitCodes.OK;
        }
    }
}
