package io.spilo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.Member;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "backup", description = "Take a base backup with pgBackRest on the leader (POST /backup) and wait for it.")
final class BackupCommand extends OperatorCommand {
    private static final Duration POLL = Duration.ofSeconds(1);

    @Parameters(arity = "0..1", paramLabel = "CLUSTER")
    String cluster;

    @Option(names = "--type", paramLabel = "TYPE", description = "full, diff or incr (pgBackRest's default: incr, full when there is none)")
    String type = "incr";

    @Option(names = "--no-wait", description = "return once the leader has started the backup")
    boolean noWait;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "how long to wait for the backup (default: 6 hours)")
    long timeoutSeconds = 6 * 3600;

    @Override
    public Integer call() throws InterruptedException {
        try (ClusterClient client = client(Optional.ofNullable(cluster))) {
            ClusterView view = client.read();
            Member leader = leaderOf(view);
            ClusterClient.Reply reply = client.call(leader, "POST", "/backup", JSON.createObjectNode().put("type", type).toString(),
                    Duration.ofSeconds(30));
            if (!reply.succeeded()) {
                throw new CommandFailure(ExitCodes.FAILURE, "backup on " + leader.name() + " not started (" + reply.status() + "): "
                        + reply.body().strip());
            }
            out().println("Backup started on " + leader.name() + " (" + type + ")");
            out().flush();
            if (noWait) {
                return ExitCodes.OK;
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
            while (System.nanoTime() < deadline) {
                Thread.sleep(POLL.toMillis());
                JsonNode run = state(client, leader);
                String state = run.path("state").asText();
                if (state.equals("succeeded")) {
                    out().println("Backup completed on " + leader.name() + " (" + run.path("type").asText() + ", started "
                            + run.path("started").asText() + ", finished " + run.path("finished").asText() + ")");
                    out().flush();
                    return ExitCodes.OK;
                }
                if (state.equals("failed")) {
                    throw new CommandFailure(ExitCodes.FAILURE, "backup on " + leader.name() + " failed: " + run.path("message").asText());
                }
            }
            throw new CommandFailure(ExitCodes.FAILURE, "backup on " + leader.name() + " still runs after " + timeoutSeconds
                    + " s; 'curl " + leader.apiUrl().replaceAll("/patroni$", "") + "/backup' shows how it ends");
        }
    }

    private JsonNode state(ClusterClient client, Member leader) {
        ClusterClient.Reply reply = client.call(leader, "GET", "/backup", "", Duration.ofSeconds(10));
        try {
            return JSON.readTree(reply.body());
        } catch (java.io.IOException e) {
            throw new CommandFailure(ExitCodes.FAILURE, "member " + leader.name() + " answered GET /backup with something other"
                    + " than JSON: " + reply.body().strip());
        }
    }
}
