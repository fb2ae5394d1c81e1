package io.spilo.dcs;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What an agent publishes in its {@code members/<name>} key. Rendered with Patroni's field names,
 * so patronictl and dashboards read it; the HA loop builds it without knowing the wire format.
 *
 * @param walPosition {@code xlog_location}, present while PostgreSQL runs
 * @param replicationState {@code streaming} or {@code in archive recovery} on a running replica
 * @param timeline 0 when unknown (not written)
 */
public record MemberData(
        String connectionUrl,
        String apiUrl,
        String state,
        String role,
        String version,
        OptionalLong walPosition,
        Optional<String> replicationState,
        int timeline,
        boolean pendingRestart,
        Map<String, Object> tags) {
    public MemberData {
        tags = Map.copyOf(tags);
    }

    public ObjectNode toJson() {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("conn_url", connectionUrl);
        data.put("api_url", apiUrl);
        data.put("state", state);
        data.put("role", role);
        data.put("version", version);
        walPosition.ifPresent(position -> data.put("xlog_location", position));
        replicationState.ifPresent(value -> data.put("replication_state", value));
        if (timeline > 0) {
            data.put("timeline", timeline);
        }
        if (pendingRestart) {
            data.put("pending_restart", true);
        }
        if (!tags.isEmpty()) {
            ObjectNode tagNode = data.putObject("tags");
            tags.forEach(tagNode::putPOJO);
        }
        return data;
    }
}
