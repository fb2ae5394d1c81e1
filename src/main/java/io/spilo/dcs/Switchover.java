package io.spilo.dcs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The {@code failover} key: a requested switchover (from {@code leader}) or failover (to
 * {@code candidate}), possibly scheduled. Patroni stores the candidate as {@code member} and leaves
 * {@code {}} behind when done; both are understood.
 */
public record Switchover(Optional<String> leader, Optional<String> candidate, Optional<OffsetDateTime> scheduledAt) {
    /** Empty when the key holds no request ({@code {}}, or only unparsable fields). */
    public static Optional<Switchover> fromJson(JsonNode json) {
        Optional<String> leader = text(json, "leader").or(() -> text(json, "master"));
        Optional<String> candidate = text(json, "member").or(() -> text(json, "candidate"));
        Optional<OffsetDateTime> scheduledAt = text(json, "scheduled_at").flatMap(Switchover::parseTime);
        if (leader.isEmpty() && candidate.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Switchover(leader, candidate, scheduledAt));
    }

    public ObjectNode toJson() {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        leader.ifPresent(name -> json.put("leader", name));
        candidate.ifPresent(name -> json.put("member", name));
        scheduledAt.ifPresent(time -> json.put("scheduled_at", time.toString()));
        return json;
    }

    /** ISO 8601 with an offset, as Patroni accepts it ({@code 2026-11-27T10:00:00+00:00}). */
    public static Optional<OffsetDateTime> parseTime(String text) {
        try {
            return Optional.of(OffsetDateTime.parse(text.strip().replace(' ', 'T')));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> text(JsonNode json, String field) {
        JsonNode value = json.get(field);
        return value == null || value.isNull() || value.asText().isBlank() ? Optional.empty() : Optional.of(value.asText());
    }
}
