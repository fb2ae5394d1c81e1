package io.spilo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.DynamicConfig;
import io.spilo.dcs.Leader;
import io.spilo.dcs.Member;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A member's answer to {@code GET /cluster} read back as a cluster view: what {@code spilo list}
 * shows while etcd cannot be read (a member in failsafe mode keeps the view of its last etcd read).
 * The body carries lag in bytes rather than positions, so members are placed at
 * {@code optime - lag} against a nominal optime: the table's lag column comes out the same.
 */
final class LastKnownView {
    /** A nominal leader position: only differences to it are shown. */
    private static final long NOMINAL_OPTIME = 1L << 48;

    private LastKnownView() {
    }

    static ClusterView fromClusterBody(JsonNode body) {
        List<Member> members = new ArrayList<>();
        Optional<Leader> leader = Optional.empty();
        for (JsonNode entry : body.path("members")) {
            String name = entry.path("name").asText();
            boolean isLeader = entry.path("role").asText().equals("leader");
            if (isLeader) {
                leader = Optional.of(new Leader(name, 0, 0));
            }
            String host = entry.path("host").asText("");
            String connection = host.isEmpty() ? "" : "postgres://" + host + ":" + entry.path("port").asInt(5432) + "/postgres";
            long position = isLeader ? NOMINAL_OPTIME
                    : entry.path("lag").isIntegralNumber() ? NOMINAL_OPTIME - entry.path("lag").asLong() : 0;
            Map<String, Object> tags = new LinkedHashMap<>();
            entry.path("tags").fields().forEachRemaining(tag -> tags.put(tag.getKey(), tag.getValue().asText()));
            String role = isLeader || entry.path("role").asText().equals("primary") ? "primary" : "replica";
            members.add(new Member(name, connection, entry.path("api_url").asText(""), entry.path("state").asText("unknown"), role,
                    position, entry.path("timeline").asInt(0), tags));
        }
        ObjectNode config = JsonNodeFactory.instance.objectNode();
        if (body.path("pause").asBoolean(false)) {
            config.put("pause", true);
        }
        return new ClusterView(Optional.of(""), leader, members, new DynamicConfig(config, 0), false, NOMINAL_OPTIME, List.of(),
                Optional.empty(), Optional.empty(), 0);
    }
}
