package io.spilo.cli;

import io.spilo.dcs.HistoryEntry;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "history", description = "Show the timeline history: failovers and switchovers.")
final class History extends OperatorCommand {
    @Parameters(arity = "0..1", paramLabel = "CLUSTER")
    String cluster;

    @Override
    public Integer call() {
        try (ClusterClient client = client(Optional.ofNullable(cluster))) {
            Table table = new Table(List.of("TL", "LSN", "Reason", "Timestamp", "New Leader"),
                    List.of(true, true, false, false, false));
            for (HistoryEntry entry : client.read().history()) {
                table.add(List.of(Integer.toString(entry.timeline()), Long.toString(entry.lsn()), entry.reason(),
                        entry.timestamp(), entry.newLeader()));
            }
            out().print(table.render(""));
            out().flush();
            return ExitCodes.OK;
        }
    }
}
