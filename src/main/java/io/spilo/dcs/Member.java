package io.spilo.dcs;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * One {@code members/<name>} key: how to reach the member and what it last reported.
 * Field names on the wire are Patroni's ({@code conn_url}, {@code api_url}, {@code xlog_location}, ...).
 */
public record Member(
        String name,
        String connectionUrl,
        String apiUrl,
        String state,
        String role,
        long walPosition,
        int timeline,
        Map<String, Object> tags,
        boolean pendingRestart,
        String replicationState) {
    public Member {
        tags = Map.copyOf(tags);
    }

    public Member(String name, String connectionUrl, String apiUrl, String state, String role, long walPosition, int timeline,
            Map<String, Object> tags) {
        this(name, connectionUrl, apiUrl, state, role, walPosition, timeline, tags, false, "");
    }

    public static Member fromJson(String name, JsonNode json) {
        Map<String, Object> tags = new java.util.LinkedHashMap<>();
        json.path("tags").fields().forEachRemaining(field -> tags.put(field.getKey(),
                field.getValue().isBoolean() ? field.getValue().booleanValue()
                        : field.getValue().isIntegralNumber() ? field.getValue().intValue()
                        : field.getValue().asText()));
        return new Member(name,
                json.path("conn_url").asText(""),
                json.path("api_url").asText(""),
                json.path("state").asText("unknown"),
                json.path("role").asText("uninitialized"),
                json.path("xlog_location").asLong(0),
                json.path("timeline").asInt(0),
                tags,
                json.path("pending_restart").asBoolean(false),
                json.path("replication_state").asText(""));
    }

    /** Patroni 3 writes {@code master}, Patroni 4 and Spilo {@code primary}: both mean the same. */
    public boolean isPrimaryRole() {
        return role.equals("primary") || role.equals("master");
    }

    /** Host of the PostgreSQL connection URL, empty if the URL is missing or malformed. */
    public Optional<String> postgresHost() {
        return uri(connectionUrl).map(URI::getHost);
    }

    public Optional<Integer> postgresPort() {
        return uri(connectionUrl).map(uri -> uri.getPort() < 0 ? 5432 : uri.getPort());
    }

    public Optional<String> apiHost() {
        return uri(apiUrl).map(URI::getHost);
    }

    public Optional<Integer> apiPort() {
        return uri(apiUrl).map(uri -> uri.getPort() < 0 ? 80 : uri.getPort());
    }

    private static Optional<URI> uri(String text) {
        try {
            URI uri = URI.create(text);
            return uri.getHost() == null ? Optional.empty() : Optional.of(uri);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
