package io.spilo.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code backup:} — continuous WAL archiving and base backups with pgBackRest. Absent: the
 * cluster neither archives nor backs up. Every member renders the same repository settings into
 * a pgBackRest configuration file of its own, so whoever is primary archives into one stanza.
 *
 * @param stanza the pgBackRest stanza (default: the cluster's scope)
 * @param repository {@code repo1-path}: a directory on a POSIX repository, the path inside the
 *     bucket or container of an object store
 * @param options further pgBackRest options for the {@code [global]} section, passed through
 *     unchanged ({@code repo1-type: s3}, {@code repo1-s3-bucket}, {@code repo1-retention-full}, ...)
 * @param program the pgBackRest executable
 * @param backupTimeoutSeconds how long one base backup may run before it is stopped
 */
public record BackupConfig(String stanza, String repository, Map<String, String> options, Path program,
        int backupTimeoutSeconds) {
    private static final int DEFAULT_BACKUP_TIMEOUT_SECONDS = 6 * 3600;

    public BackupConfig {
        options = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    /** Whether the repository is a directory on this machine (pgBackRest's default {@code repo1-type: posix}). */
    public boolean localRepository() {
        return options.getOrDefault("repo1-type", "posix").equals("posix");
    }

    static Optional<BackupConfig> from(JsonNode section, String scope) {
        if (section == null || section.isMissingNode() || section.isNull()) {
            return Optional.empty();
        }
        if (!section.isObject()) {
            throw new ConfigException("backup: must be a mapping (repository: /var/lib/spilo/backups, stanza: ..., options: {...})");
        }
        String repository = text(section, "repository")
                .orElseThrow(() -> new ConfigException("backup.repository: missing (the pgBackRest repository path, repo1-path)"));
        if (!repository.startsWith("/")) {
            throw new ConfigException("backup.repository: '" + repository + "' must be an absolute path");
        }
        String stanza = text(section, "stanza").orElse(scope);
        if (!stanza.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new ConfigException("backup.stanza: '" + stanza + "' may hold only letters, digits, '.', '_' and '-'"
                    + " (set backup.stanza when the scope has other characters)");
        }
        Map<String, String> options = new LinkedHashMap<>();
        JsonNode optionsNode = section.path("options");
        if (optionsNode.isObject()) {
            optionsNode.fields().forEachRemaining(field -> options.put(option(field.getKey()), value(field.getKey(), field.getValue())));
        } else if (!optionsNode.isMissingNode() && !optionsNode.isNull()) {
            throw new ConfigException("backup.options: must be a mapping of pgBackRest option: value (repo1-retention-full: 2)");
        }
        for (String managed : java.util.List.of("repo1-path", "pg1-path", "pg1-port", "pg1-socket-path", "pg1-user", "stanza")) {
            if (options.containsKey(managed)) {
                throw new ConfigException("backup.options." + managed + ": Spilo sets this option itself"
                        + (managed.equals("repo1-path") ? "; use backup.repository" : " from the postgresql section"));
            }
        }
        Path program = Path.of(text(section, "program").orElse("/usr/bin/pgbackrest"));
        if (!program.isAbsolute()) {
            throw new ConfigException("backup.program: '" + program + "' must be an absolute path such as /usr/bin/pgbackrest");
        }
        int timeout = DEFAULT_BACKUP_TIMEOUT_SECONDS;
        JsonNode timeoutNode = section.path("backup_timeout");
        if (!timeoutNode.isMissingNode() && !timeoutNode.isNull()) {
            if (!timeoutNode.asText().matches("[1-9]\\d*")) {
                throw new ConfigException("backup.backup_timeout: '" + timeoutNode.asText() + "' must be a whole number of seconds");
            }
            timeout = Integer.parseInt(timeoutNode.asText());
        }
        return Optional.of(new BackupConfig(stanza, repository, options, program, timeout));
    }

    private static Optional<String> text(JsonNode section, String key) {
        JsonNode node = section.path(key);
        if (node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        if (node.isContainerNode() || node.asText().isBlank()) {
            throw new ConfigException("backup." + key + ": must be a single non-empty value");
        }
        return Optional.of(node.asText().strip());
    }

    private static String option(String name) {
        if (!name.matches("[a-z0-9][a-z0-9-]*")) {
            throw new ConfigException("backup.options: '" + name + "' is not a pgBackRest option name (lower case, digits and '-')");
        }
        return name;
    }

    private static String value(String name, JsonNode value) {
        if (value.isContainerNode() || value.isNull()) {
            throw new ConfigException("backup.options." + name + ": must be a single value");
        }
        String text = value.asText();
        if (text.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new ConfigException("backup.options." + name + ": has a control character in its value");
        }
        return text;
    }
}
