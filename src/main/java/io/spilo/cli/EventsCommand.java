package io.spilo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.Member;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "events", description = "The cluster's recent events (members joining and leaving, leader changes, switchovers,"
        + " failovers, maintenance mode) as the leader's agent saw them (another member's when there is no leader).")
final class EventsCommand extends OperatorCommand {
    @Parameters(arity = "0..1", paramLabel = "CLUSTER")
    String cluster;

    @Option(names = {"-n", "--last"}, paramLabel = "N", description = "how many (default 20)")
    int last = 20;

    @Override
    public Integer call() {
        try (ClusterClient client = client(Optional.ofNullable(cluster))) {
            ClusterView view = client.read();
            List<Member> asked = new ArrayList<>();
            view.leaderMember().ifPresent(asked::add);
            view.members().stream().filter(member -> !asked.contains(member)).forEach(asked::add);
            for (Member member : asked) {
                ClusterClient.Reply reply;
                try {
                    reply = client.call(member, "GET", "/events", "", Duration.ofSeconds(3));
                } catch (CommandFailure unanswered) {
                    continue;
                }
                if (!reply.succeeded()) {
                    continue;
                }
                JsonNode body;
                try {
                    body = JSON.readTree(reply.body());
                } catch (java.io.IOException e) {
                    continue;
                }
                List<JsonNode> events = new ArrayList<>();
                body.path("events").forEach(events::add);
                out().println("Events seen by " + member.name() + " (newest last):");
                for (JsonNode event : events.subList(Math.max(0, events.size() - last), events.size())) {
                    out().printf("%s  %-20s %s%n", event.path("time").asText(), event.path("kind").asText(), event.path("text").asText());
                }
                if (events.isEmpty()) {
                    out().println("(none since " + member.name() + "'s agent started)");
                }
                out().flush();
                return ExitCodes.OK;
            }
            throw new CommandFailure(ExitCodes.FAILURE, "no member answered GET /events");
        }
    }
}
