package io.spilo.dcs;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code sync} key: the leader and the standbys that may be promoted without losing an
 * acknowledged commit. Patroni stores several standbys as one comma-separated string.
 */
public record SyncState(Optional<String> leader, List<String> synchronousStandbys, long modRevision) {
    public SyncState {
        synchronousStandbys = List.copyOf(synchronousStandbys);
    }

    public static SyncState fromJson(JsonNode json, long modRevision) {
        List<String> standbys = new ArrayList<>();
        JsonNode value = json.path("sync_standby");
        if (value.isTextual()) {
            for (String name : value.asText().split(",")) {
                if (!name.isBlank()) {
                    standbys.add(name.strip());
                }
            }
        }
        String leader = json.path("leader").asText("");
        return new SyncState(leader.isEmpty() ? Optional.empty() : Optional.of(leader), standbys, modRevision);
    }

    public boolean isSynchronousStandby(String member) {
        return synchronousStandbys.contains(member);
    }

    /** The leader named here, or one of the standbys: the members that may be promoted in synchronous mode. */
    public boolean mayBePromoted(String member) {
        return leader.map(member::equals).orElse(false) || isSynchronousStandby(member);
    }

    public com.fasterxml.jackson.databind.node.ObjectNode toJson() {
        com.fasterxml.jackson.databind.node.ObjectNode json = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        json.put("leader", leader.orElse(null));
        if (synchronousStandbys.isEmpty()) {
            json.putNull("sync_standby");
        } else {
            json.put("sync_standby", String.join(",", synchronousStandbys));
        }
        return json;
    }
}
