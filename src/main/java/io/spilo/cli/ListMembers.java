package io.spilo.cli;

import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "list", description = "List the members of the cluster.")
final class ListMembers extends OperatorCommand {
    /** How long each member may take to report its fence and probe; the table is printed without a member's status after it. */
    static final Duration STATUS_TIMEOUT = Duration.ofMillis(1500);

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
                    if (System.console() != null) {
                        out().print("\033[H\033[2J"); // clear the screen only on a terminal: piped output stays plain text
                    }
                    out().println(LocalDateTime.now().withNano(0));
                }
                ClusterClient.Snapshot snapshot = client.readOrLastKnown();
                java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> statuses = client.statuses(snapshot.view().members(),
                        STATUS_TIMEOUT);
                out().print(ClusterTable.render(client.scope(), snapshot.view(), statuses, format, tree));
                // stderr: the JSON/YAML on stdout stays machine-readable
                if (snapshot.source().isPresent()) {
                    spec.commandLine().getErr().println("warning: " + snapshot.source().get());
                }
                archivingWarning(statuses).ifPresent(warning -> spec.commandLine().getErr().println("warning: " + warning));
                out().flush();
                if (every <= 0) {
                    return ExitCodes.OK;
                }
                Thread.sleep((long) (every * 1000));
            }
        }
    }

    /** A primary whose WAL archiving fails: its backups and point-in-time recovery fall behind. */
    static Optional<String> archivingWarning(java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> statuses) {
        for (java.util.Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> status : statuses.entrySet()) {
            com.fasterxml.jackson.databind.JsonNode archiving = status.getValue().path("archiving");
            if (archiving.path("failing").asBoolean(false)) {
                return Optional.of("WAL archiving fails on " + status.getKey() + ": " + archiving.path("waiting_segments").asLong()
                        + " segments wait, the oldest for " + archiving.path("lag_seconds").asLong() + " s (last failed: "
                        + archiving.path("last_failed_wal").asText("?") + "); check the backup repository and "
                        + status.getKey() + "'s server log");
            }
        }
        return Optional.empty();
    }
}
