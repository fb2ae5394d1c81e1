package io.spilo.cli;

import io.spilo.dcs.ClusterView;
import io.spilo.dcs.Member;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Parameters;

/** pause and resume: PATCH /config through the leader (or any member). */
abstract class PauseToggle extends OperatorCommand {
    @Parameters(arity = "0..1", paramLabel = "CLUSTER")
    String cluster;

    int setPause(boolean pause) {
        try (ClusterClient client = client(Optional.ofNullable(cluster))) {
            ClusterView view = client.read();
            if (view.config().paused() == pause) {
                throw new CommandFailure(ExitCodes.FAILURE, "cluster is " + (pause ? "already paused" : "not paused"));
            }
            Member via = view.leaderMember().or(() -> view.members().stream().findFirst())
                    .orElseThrow(() -> new CommandFailure(ExitCodes.FAILURE, "the cluster has no members"));
            String body = pause ? "{\"pause\": true}" : "{\"pause\": null}";
            ClusterClient.Reply reply = client.call(via, "PATCH", "/config", body, Duration.ofSeconds(30));
            if (!reply.succeeded()) {
                throw new CommandFailure(ExitCodes.FAILURE, "could not change the configuration (status " + reply.status() + "): "
                        + reply.body().strip());
            }
            out().println("Success: cluster management is " + (pause ? "paused" : "resumed"));
            out().flush();
            return ExitCodes.OK;
        }
    }
}
