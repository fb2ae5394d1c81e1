package io.spilo.dcs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * One element of the {@code history} key: the timeline that ended, the LSN where it ended, why,
 * when (wall clock, for people), and who became leader. Stored as Patroni's 5-element array.
 */
public record HistoryEntry(int timeline, long lsn, String reason, String timestamp, String newLeader) {
    public static HistoryEntry fromJson(JsonNode array) {
        return new HistoryEntry(array.path(0).asInt(), array.path(1).asLong(), array.path(2).asText(""),
                array.path(3).asText(""), array.path(4).asText(""));
    }

    public ArrayNode toJson() {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        array.add(timeline).add(lsn).add(reason).add(timestamp).add(newLeader);
        return array;
    }
}
