package io.spilo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.spilo.backup.BackupCatalog;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.Member;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "backups", description = "List the base backups in the cluster's pgBackRest repository (asked of the leader).")
final class BackupsCommand extends OperatorCommand {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    @Parameters(arity = "0..1", paramLabel = "CLUSTER")
    String cluster;

    @Override
    public Integer call() {
        try (ClusterClient client = client(Optional.ofNullable(cluster))) {
            ClusterView view = client.read();
            Member asked = view.leaderMember().orElseGet(() -> view.members().stream().findFirst()
                    .orElseThrow(() -> new CommandFailure(ExitCodes.FAILURE, "the cluster has no members to ask")));
            ClusterClient.Reply reply = client.call(asked, "GET", "/backups", "", Duration.ofSeconds(150));
            if (!reply.succeeded()) {
                throw new CommandFailure(ExitCodes.FAILURE, "member " + asked.name() + " could not list the backups (" + reply.status()
                        + "): " + reply.body().strip());
            }
            JsonNode body;
            try {
                body = JSON.readTree(reply.body());
            } catch (java.io.IOException e) {
                throw new CommandFailure(ExitCodes.FAILURE, "member " + asked.name() + " answered with something other than JSON");
            }
            out().print(render(BackupCatalog.fromJson(body)));
            out().flush();
            return ExitCodes.OK;
        }
    }

    static String render(BackupCatalog catalog) {
        Table table = new Table(List.of("Label", "Type", "Start (UTC)", "Stop (UTC)", "Size", "In repository", "WAL start", "WAL stop"),
                List.of(false, false, false, false, true, true, false, false));
        for (BackupCatalog.Backup backup : catalog.backups()) {
            table.add(List.of(backup.label() + (backup.error() ? " (error)" : ""), backup.type(),
                    TIME.format(Instant.ofEpochSecond(backup.startEpochSeconds())), TIME.format(Instant.ofEpochSecond(backup.stopEpochSeconds())),
                    size(backup.databaseBytes()), size(backup.repositoryBytes()), backup.walStart(), backup.walStop()));
        }
        String text = table.render("Stanza: " + catalog.stanza() + " (" + catalog.status() + ")");
        if (catalog.archiveMin().isPresent()) {
            text += " WAL archive: " + catalog.archiveMin().get() + " .. " + catalog.archiveMax().orElse("?") + "\n";
        }
        if (catalog.backups().isEmpty()) {
            text += " No backups yet: 'spilo backup --type full' takes one.\n";
        }
        return text;
    }

    private static String size(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }
}
