package io.spilo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.HistoryEntry;
import io.spilo.dcs.Member;
import io.spilo.ha.HaLoop;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** The operator commands (patronictl's, for a Spilo cluster). Each reads etcd and calls the members' REST APIs. */
final class OperatorCommands {
    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private OperatorCommands() {
    }

    /** Shared by every operator command: where the cluster is, output, and confirmation prompts. */
    abstract static class Base implements Callable<Integer> {
        @Mixin
        ClusterOptions options;

        @Spec
        CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        ClusterClient client(Optional<String> clusterName) {
            return new ClusterClient(options.resolve(clusterName));
        }

        /** Asks on the terminal; without one (or with --force) the caller decides. */
        boolean confirm(String question) {
            out().print(question + " [y/N]: ");
            out().flush();
            String answer = readLine();
            return answer.equalsIgnoreCase("y") || answer.equalsIgnoreCase("yes");
        }

        private BufferedReader stdin;

        /** One reader for the whole command: a second reader would miss what the first one buffered. */
        String readLine() {
            try {
                if (stdin == null) {
                    stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                }
                String line = stdin.readLine();
                return line == null ? "" : line.strip();
            } catch (java.io.IOException e) {
                return "";
            }
        }

        static Member leaderOf(ClusterView view) {
            return view.leaderMember().orElseThrow(() -> new CommandFailure(ExitCodes.FAILURE,
                    "the cluster has no leader right now; wait for one, or use 'spilo failover --candidate NAME'"));
        }

        static Member member(ClusterView view, String name) {
            return view.member(name).orElseThrow(() -> new CommandFailure(ExitCodes.FAILURE,
                    "member " + name + " is not part of the cluster; 'spilo list' shows the members"));
        }

        int report(ClusterClient.Reply reply, String what) {
            if (reply.succeeded()) {
                out().println("Success: " + what + ": " + reply.body().strip());
                out().flush();
                return ExitCodes.OK;
            }
            throw new CommandFailure(ExitCodes.FAILURE, what + " failed (status " + reply.status() + "): " + reply.body().strip());
        }
    }

    @Command(name = "list", description = "List the members of the cluster.")
    static final class ListMembers extends Base {
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
                    out().print(render(client.scope(), client.read(), format, tree));
                    out().flush();
                    if (every <= 0) {
                        return ExitCodes.OK;
                    }
                    Thread.sleep((long) (every * 1000));
                }
            }
        }
    }

    @Command(name = "topology", description = "Show the members as a tree: the leader and who follows it.")
    static final class Topology extends Base {
        @Parameters(arity = "0..1", paramLabel = "CLUSTER")
        String cluster;

        @Override
        public Integer call() throws Exception {
            try (ClusterClient client = client(Optional.ofNullable(cluster))) {
                out().print(render(client.scope(), client.read(), "pretty", true));
                out().flush();
                return ExitCodes.OK;
            }
        }
    }

    /** The list table (or its JSON/YAML rows). Package-visible for tests. */
    static String render(String scope, ClusterView view, String format, boolean tree) throws Exception {
        long leaderPosition = view.leaderMember().map(Member::walPosition).filter(position -> position > 0).orElse(view.optime());
        List<Member> members = new ArrayList<>(view.members());
        members.sort(Comparator.comparing((Member member) -> !view.isLeader(member.name())).thenComparing(Member::name));
        if (!tree) {
            members.sort(Comparator.comparing(Member::name));
        }
        boolean anyPending = members.stream().anyMatch(Member::pendingRestart);
        boolean anyTags = members.stream().anyMatch(member -> !member.tags().isEmpty());
        List<String> headers = new ArrayList<>(List.of("Member", "Host", "Role", "State", "TL", "Lag in MB"));
        if (anyPending) {
            headers.add("Pending restart");
        }
        if (anyTags) {
            headers.add("Tags");
        }
        ArrayNode rows = JSON.createArrayNode();
        Table table = new Table(headers, headers.stream().map(header -> header.equals("TL") || header.equals("Lag in MB")).toList());
        for (Member member : members) {
            boolean leader = view.isLeader(member.name());
            boolean sync = view.sync().map(state -> state.isSynchronousStandby(member.name())).orElse(false);
            String role = leader ? "Leader" : sync ? "Sync Standby" : "Replica";
            String state = !leader && member.replicationState().equals("streaming") && member.state().equals("running")
                    ? "streaming" : member.state();
            String host = member.postgresHost().orElse("?") + member.postgresPort().map(port -> ":" + port).orElse("");
            String lag = leader ? "" : member.walPosition() > 0 && leaderPosition > 0
                    ? Long.toString(Math.max(0, leaderPosition - member.walPosition()) / (1024 * 1024)) : "unknown";
            String tags = member.tags().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(entry -> entry.getKey() + ": " + entry.getValue()).collect(Collectors.joining(", "));
            List<String> row = new ArrayList<>(List.of((tree && !leader ? "+ " : "") + member.name(), host, role, state,
                    member.timeline() > 0 ? Integer.toString(member.timeline()) : "", lag));
            if (anyPending) {
                row.add(member.pendingRestart() ? "*" : "");
            }
            if (anyTags) {
                row.add(tags);
            }
            table.add(row);
            ObjectNode json = rows.addObject().put("Cluster", scope).put("Member", member.name()).put("Host", host)
                    .put("Role", role).put("State", state).put("TL", member.timeline());
            if (!leader) {
                json.put("Lag in MB", lag);
            }
            if (member.pendingRestart()) {
                json.put("Pending restart", "*");
            }
            if (!member.tags().isEmpty()) {
                json.putPOJO("Tags", member.tags());
            }
        }
        return switch (format) {
            case "json" -> JSON.writeValueAsString(rows) + "\n";
            case "yaml" -> YAML.writeValueAsString(rows);
            default -> {
                String title = "Cluster: " + scope + view.initialize().filter(id -> !id.isEmpty()).map(id -> " (" + id + ")").orElse("");
                String text = table.render(title);
                if (view.config().paused()) {
                    text += " Maintenance mode: on\n";
                }
                yield text;
            }
        };
    }

    @Command(name = "switchover", description = "Hand the leadership to a replica, gracefully.")
    static final class SwitchoverCommand extends Base {
        @Parameters(arity = "0..1", paramLabel = "CLUSTER")
        String cluster;

        @Option(names = {"--leader", "--primary", "--master"}, paramLabel = "NAME", description = "the current leader")
        String leader;

        @Option(names = "--candidate", paramLabel = "NAME", description = "the member to promote (default: the best replica)")
        String candidate;

        @Option(names = "--scheduled", paramLabel = "TIME", description = "ISO 8601 time with zone, or 'now'")
        String scheduled;

        @Option(names = "--force", description = "do not ask for confirmation")
        boolean force;

        @Override
        public Integer call() {
            try (ClusterClient client = client(Optional.ofNullable(cluster))) {
                ClusterView view = client.read();
                Member current = leaderOf(view);
                if (leader != null && !leader.equals(current.name())) {
                    throw new CommandFailure(ExitCodes.FAILURE, "member " + leader + " is not the leader of cluster " + client.scope()
                            + " (" + current.name() + " is)");
                }
                ObjectNode body = JSON.createObjectNode().put("leader", current.name());
                if (candidate != null) {
                    member(view, candidate);
                    body.put("candidate", candidate);
                }
                if (scheduled != null && !scheduled.equals("now")) {
                    body.put("scheduled_at", scheduled);
                }
                if (!force && !confirm("Are you sure you want to switchover cluster " + client.scope() + ", demoting current leader "
                        + current.name() + (candidate == null ? "" : " in favour of " + candidate) + "?")) {
                    throw new CommandFailure(ExitCodes.ABORTED, "aborted");
                }
                return report(client.call(current, "POST", "/switchover", body.toString(), Duration.ofMinutes(2)), "switchover");
            }
        }
    }

    @Command(name = "failover", description = "Promote a named member, even when there is no healthy leader.")
    static final class FailoverCommand extends Base {
        @Parameters(arity = "0..1", paramLabel = "CLUSTER")
        String cluster;

        @Option(names = "--candidate", required = true, paramLabel = "NAME", description = "the member to promote")
        String candidate;

        @Option(names = "--force", description = "do not ask for confirmation")
        boolean force;

        @Override
        public Integer call() {
            try (ClusterClient client = client(Optional.ofNullable(cluster))) {
                ClusterView view = client.read();
                Member target = member(view, candidate);
                if (!force && !confirm("Are you sure you want to failover cluster " + client.scope() + " to " + candidate + "?")) {
                    throw new CommandFailure(ExitCodes.ABORTED, "aborted");
                }
                Member via = view.leaderMember().orElse(target);
                ObjectNode body = JSON.createObjectNode().put("candidate", candidate);
                return report(client.call(via, "POST", "/failover", body.toString(), Duration.ofMinutes(2)), "failover");
            }
        }
    }

    @Command(name = "restart", description = "Restart PostgreSQL on members (all by default).")
    static final class RestartCommand extends Base {
        @Parameters(index = "0", paramLabel = "CLUSTER", description = "the cluster (its scope)")
        String cluster;

        @Parameters(index = "1..*", arity = "0..*", paramLabel = "MEMBER")
        List<String> members = new ArrayList<>();

        @Option(names = "--pending", description = "only members with pending_restart")
        boolean pending;

        @Option(names = "--scheduled", paramLabel = "TIME", description = "ISO 8601 time with zone")
        String scheduled;

        @Option(names = "--role", paramLabel = "ROLE", description = "only members with this role: primary, replica or any")
        String role = "any";

        @Option(names = "--force", description = "do not ask for confirmation")
        boolean force;

        @Override
        public Integer call() {
            try (ClusterClient client = client(Optional.of(cluster))) {
                ClusterView view = client.read();
                List<Member> targets = members.isEmpty() ? view.members() : members.stream().map(name -> member(view, name)).toList();
                if (!force && !confirm("Restart PostgreSQL on " + targets.stream().map(Member::name).toList() + "?")) {
                    throw new CommandFailure(ExitCodes.ABORTED, "aborted");
                }
                ObjectNode body = JSON.createObjectNode();
                if (pending) {
                    body.put("restart_pending", true);
                }
                if (!role.equals("any")) {
                    body.put("role", role);
                }
                if (scheduled != null) {
                    body.put("schedule", scheduled);
                }
                int exit = ExitCodes.OK;
                for (Member member : targets) {
                    ClusterClient.Reply reply = client.call(member, "POST", "/restart", body.toString(), Duration.ofMinutes(5));
                    out().println((reply.succeeded() ? "Success: " : "Failed: ") + "restart on member " + member.name() + ": "
                            + reply.body().strip());
                    if (!reply.succeeded() && reply.status() != 412) {
                        exit = ExitCodes.FAILURE;
                    }
                }
                out().flush();
                return exit;
            }
        }
    }

    @Command(name = "reload", description = "Make members reload their configuration (all by default).")
    static final class ReloadCommand extends Base {
        @Parameters(index = "0", paramLabel = "CLUSTER")
        String cluster;

        @Parameters(index = "1..*", arity = "0..*", paramLabel = "MEMBER")
        List<String> members = new ArrayList<>();

        @Override
        public Integer call() {
            try (ClusterClient client = client(Optional.of(cluster))) {
                ClusterView view = client.read();
                List<Member> targets = members.isEmpty() ? view.members() : members.stream().map(name -> member(view, name)).toList();
                int exit = ExitCodes.OK;
                for (Member member : targets) {
                    ClusterClient.Reply reply = client.call(member, "POST", "/reload", "", Duration.ofSeconds(60));
                    out().println((reply.succeeded() ? "Reload request received for member " : "Failed: reload on member ")
                            + member.name() + (reply.succeeded() ? "" : ": " + reply.body().strip()));
                    exit = reply.succeeded() ? exit : ExitCodes.FAILURE;
                }
                out().flush();
                return exit;
            }
        }
    }

    @Command(name = "reinit", description = "Throw away a replica's data and clone it again from the leader.")
    static final class ReinitCommand extends Base {
        @Parameters(index = "0", paramLabel = "CLUSTER")
        String cluster;

        @Parameters(index = "1", paramLabel = "MEMBER")
        String memberName;

        @Option(names = "--force", description = "do not ask for confirmation")
        boolean force;

        @Override
        public Integer call() {
            try (ClusterClient client = client(Optional.of(cluster))) {
                Member member = member(client.read(), memberName);
                if (!force && !confirm("Are you sure you want to reinitialize member " + memberName + "?")) {
                    throw new CommandFailure(ExitCodes.ABORTED, "aborted");
                }
                return report(client.call(member, "POST", "/reinitialize", "{\"force\": true}", Duration.ofMinutes(2)),
                        "reinitialize of member " + memberName);
            }
        }
    }

    /** pause and resume: PATCH /config through the leader (or any member). */
    abstract static class PauseBase extends Base {
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

    @Command(name = "pause", description = "Maintenance mode: no automatic failover, demotion or restart.")
    static final class Pause extends PauseBase {
        @Override
        public Integer call() {
            return setPause(true);
        }
    }

    @Command(name = "resume", description = "Leave maintenance mode.")
    static final class Resume extends PauseBase {
        @Override
        public Integer call() {
            return setPause(false);
        }
    }

    @Command(name = "show-config", description = "Print the cluster-wide configuration (YAML).")
    static final class ShowConfig extends Base {
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

    /** A copy with object keys in alphabetical order, as patronictl shows them. */
    static JsonNode sorted(JsonNode node) {
        if (!node.isObject()) {
            return node;
        }
        ObjectNode result = JSON.createObjectNode();
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        names.sort(null);
        for (String name : names) {
            result.set(name, sorted(node.get(name)));
        }
        return result;
    }

    @Command(name = "history", description = "Show the timeline history: failovers and switchovers.")
    static final class History extends Base {
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

    @Command(name = "dsn", description = "Print a libpq connection string for the leader (or a member).")
    static final class Dsn extends Base {
        @Parameters(arity = "0..1", paramLabel = "CLUSTER")
        String cluster;

        @Option(names = "--member", paramLabel = "NAME", description = "this member instead of the leader")
        String memberName;

        @Option(names = "--role", paramLabel = "ROLE", description = "leader (default), primary or replica")
        String role = "leader";

        @Override
        public Integer call() {
            try (ClusterClient client = client(Optional.ofNullable(cluster))) {
                ClusterView view = client.read();
                Member member;
                if (memberName != null) {
                    member = member(view, memberName);
                } else if (role.equals("replica")) {
                    member = view.members().stream().filter(candidate -> !view.isLeader(candidate.name())).findFirst()
                            .orElseThrow(() -> new CommandFailure(ExitCodes.FAILURE, "the cluster has no replica"));
                } else {
                    member = leaderOf(view);
                }
                out().println("host=" + member.postgresHost().orElse("") + " port=" + member.postgresPort().orElse(5432));
                out().flush();
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "remove", description = "Delete everything the cluster keeps in etcd (asks twice).")
    static final class Remove extends Base {
        @Parameters(index = "0", paramLabel = "CLUSTER")
        String cluster;

        @Override
        public Integer call() {
            try (ClusterClient client = client(Optional.of(cluster))) {
                ClusterView view = client.read();
                out().print("Please confirm the cluster name to remove: ");
                out().flush();
                if (!readLine().equals(cluster)) {
                    throw new CommandFailure(ExitCodes.ABORTED, "aborted: the name does not match");
                }
                out().print("You are about to remove all information in etcd for " + cluster + ", please type: \"Yes I am aware\": ");
                out().flush();
                if (!readLine().equals("Yes I am aware")) {
                    throw new CommandFailure(ExitCodes.ABORTED, "aborted");
                }
                if (view.leader().isPresent()) {
                    out().print("This cluster has a leader. Type its name to continue: ");
                    out().flush();
                    if (!readLine().equals(view.leader().get().name())) {
                        throw new CommandFailure(ExitCodes.ABORTED, "aborted: the leader name does not match");
                    }
                }
                client.dcs().deleteCluster();
                out().println("Removed cluster " + cluster + " from etcd.");
                out().flush();
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "version", description = "Print the Spilo version, and with -c or --dcs the version of each member.")
    static final class Version extends Base {
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
}
