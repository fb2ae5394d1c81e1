package io.spilo.cli;

import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "list", description = "List the members of the cluster.")
final class ListMembers extends OperatorCommand {
    @Parameters(arity = "0..1", paramLabel = "CLUSTER")
    String cluster;

    @Option(names = {"-f", "--format"}, description = "pretty (default), json or yaml")
    String format = "pretty";

    @Option(names = "-W", description = "watch: refresh every 2 seconds until interrupted")
    boolean watch;

    @Option(names = {"-w", "--watch"}, paramLabel = "SECONDS", description = "watch with this refresh interval")
    Double interval;

    boolean tree;

    @Override
    public Integer call() throws Exception {
        if (!List.of("pretty", "json", "yaml").contains(format)) {
            throw new CommandFailure(ExitCodes.USAGE, "--format must be pretty, json or yaml");
        }
        try (ClusterClient client = client(Optional.ofNullable(cluster))) {
            double every = interval != null ? interval : watch ? 2.0 : 0;
            while (true) {
                if (every > 0) {
                    out().print("\033[H\033[2J");
                    out().println(LocalDateTime.now().withNano(0));
                }
                out().print(ClusterTable.render(client.scope(), client.read(), format, tree));
                out().flush();
                if (every <= 0) {
                    return ExitCodes.OK;
                }
                Thread.sleep((long) (every * 1000));
            }
        }
    }
}
