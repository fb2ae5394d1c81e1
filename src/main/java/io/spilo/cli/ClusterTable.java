package io.spilo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.Member;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The member table of {@code spilo list} and {@code topology} (or its JSON/YAML rows). */
final class ClusterTable {
    private ClusterTable() {
    }

    /**
     * The list table (or its JSON/YAML rows). {@code statuses} holds each answering member's
     * {@code GET /patroni}: the fence and write-probe columns and the failsafe line come from there
     * (etcd does not carry them), and appear only when some member reports them, so a table of
     * Patroni members looks like patronictl's. Package-visible for tests.
     */
    static String render(String scope, ClusterView view, Map<String, JsonNode> statuses, String format, boolean tree) throws Exception {
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
        boolean anyFence = statuses.values().stream().anyMatch(status -> status.has("fence"));
        boolean anyProbe = statuses.values().stream().anyMatch(status -> status.has("write_probe"));
        if (anyFence) {
            headers.add("Fence");
        }
        if (anyProbe) {
            headers.add("Write probe");
        }
        ArrayNode rows = OperatorCommand.JSON.createArrayNode();
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
            JsonNode status = statuses.get(member.name());
            // "?": the member did not answer, so its fence is unknown (a stopped agent's fence may well be armed).
            String fence = status == null ? "?" : status.path("fence").asText("");
            String probe = status == null ? "" : writeProbe(status.path("write_probe"));
            if (anyFence) {
                row.add(fence);
            }
            if (anyProbe) {
                row.add(probe);
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
            if (anyFence) {
                json.put("Fence", fence);
            }
            if (!probe.isEmpty()) {
                json.put("Write probe", probe);
            }
            if (status != null && status.path("failsafe_mode_is_active").asBoolean(false)) {
                json.put("Failsafe mode", "active");
            }
        }
        List<String> failsafe = statuses.entrySet().stream()
                .filter(entry -> entry.getValue().path("failsafe_mode_is_active").asBoolean(false)).map(Map.Entry::getKey).sorted().toList();
        return switch (format) {
            case "json" -> OperatorCommand.JSON.writeValueAsString(rows) + "\n";
            case "yaml" -> OperatorCommand.YAML.writeValueAsString(rows);
            default -> {
                String title = "Cluster: " + scope + view.initialize().filter(id -> !id.isEmpty()).map(id -> " (" + id + ")").orElse("");
                String text = table.render(title);
                if (view.config().paused()) {
                    text += " Maintenance mode: on\n";
                }
                if (!failsafe.isEmpty()) {
                    text += " Failsafe mode: active on " + String.join(", ", failsafe)
                            + " (etcd unreachable from there; the leader stays while every member vouches for it)\n";
                }
                yield text;
            }
        };
    }

    /** "12 ms", or "stalled 4.2 s" while a commit has been waiting; empty without a probe. */
    private static String writeProbe(JsonNode probe) {
        if (probe.has("stalled_ms")) {
            return String.format(java.util.Locale.ROOT, "stalled %.1f s", probe.path("stalled_ms").asLong() / 1000.0);
        }
        return probe.has("latency_ms") ? probe.path("latency_ms").asLong() + " ms" : "";
    }
}
