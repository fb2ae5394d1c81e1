package io.spilo.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One stanza's backups as {@code pgbackrest info --output=json} reports them, reduced to what an
 * operator reads: each backup's label, type, times, sizes and WAL range, and the archive's range.
 */
public record BackupCatalog(String stanza, String status, List<Backup> backups, Optional<String> archiveMin,
        Optional<String> archiveMax) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public BackupCatalog {
        backups = List.copyOf(backups);
    }

    /** One backup set. Times are epoch seconds; sizes in bytes (database, and in the repository). */
    public record Backup(String label, String type, long startEpochSeconds, long stopEpochSeconds, long databaseBytes,
            long repositoryBytes, String walStart, String walStop, boolean error) {
    }

    /** The newest backup that completed without error. */
    public Optional<Backup> lastGood() {
        return backups.stream().filter(backup -> !backup.error()).reduce((first, second) -> second);
    }

    static BackupCatalog parse(String infoJson, String stanza) {
        JsonNode root;
        try {
            root = JSON.readTree(infoJson);
        } catch (java.io.IOException e) {
            throw new BackupException(BackupException.Kind.FAILED, "pgbackrest info printed no JSON: " + e.getMessage());
        }
        JsonNode entry = null;
        for (JsonNode candidate : root) {
            if (candidate.path("name").asText().equals(stanza)) {
                entry = candidate;
            }
        }
        if (entry == null) {
            return new BackupCatalog(stanza, "missing stanza", List.of(), Optional.empty(), Optional.empty());
        }
        List<Backup> backups = new ArrayList<>();
        for (JsonNode backup : entry.path("backup")) {
            backups.add(new Backup(backup.path("label").asText(), backup.path("type").asText(),
                    backup.path("timestamp").path("start").asLong(), backup.path("timestamp").path("stop").asLong(),
                    backup.path("info").path("size").asLong(), backup.path("info").path("repository").path("size").asLong(),
                    backup.path("archive").path("start").asText(""), backup.path("archive").path("stop").asText(""),
                    backup.path("error").asBoolean(false)));
        }
        Optional<String> min = Optional.empty();
        Optional<String> max = Optional.empty();
        // One entry per PostgreSQL version the stanza has seen, oldest first.
        for (JsonNode archive : entry.path("archive")) {
            if (min.isEmpty()) {
                min = text(archive, "min");
            }
            Optional<String> newest = text(archive, "max");
            if (newest.isPresent()) {
                max = newest;
            }
        }
        return new BackupCatalog(stanza, entry.path("status").path("message").asText("unknown"), backups, min, max);
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
    }

    /** The REST API's form ({@code GET /backups}). */
    public ObjectNode toJson() {
        ObjectNode body = JSON.createObjectNode().put("stanza", stanza).put("status", status);
        archiveMin.ifPresent(value -> body.put("archive_min", value));
        archiveMax.ifPresent(value -> body.put("archive_max", value));
        ArrayNode list = body.putArray("backups");
        for (Backup backup : backups) {
            list.addObject().put("label", backup.label()).put("type", backup.type())
                    .put("start", backup.startEpochSeconds()).put("stop", backup.stopEpochSeconds())
                    .put("size", backup.databaseBytes()).put("repository_size", backup.repositoryBytes())
                    .put("wal_start", backup.walStart()).put("wal_stop", backup.walStop()).put("error", backup.error());
        }
        return body;
    }

    /** Reads the REST API's form back (for the command line). */
    public static BackupCatalog fromJson(JsonNode body) {
        List<Backup> backups = new ArrayList<>();
        for (JsonNode backup : body.path("backups")) {
            backups.add(new Backup(backup.path("label").asText(), backup.path("type").asText(), backup.path("start").asLong(),
                    backup.path("stop").asLong(), backup.path("size").asLong(), backup.path("repository_size").asLong(),
                    backup.path("wal_start").asText(), backup.path("wal_stop").asText(), backup.path("error").asBoolean()));
        }
        return new BackupCatalog(body.path("stanza").asText(), body.path("status").asText(), backups,
                text(body, "archive_min"), text(body, "archive_max"));
    }
}
