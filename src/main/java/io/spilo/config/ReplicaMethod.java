package io.spilo.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One entry of Patroni's {@code postgresql.create_replica_methods}, tried in order until one
 * fills the data directory: {@code basebackup} (a copy from the leader), {@code pgbackrest} (a
 * restore from the {@code backup:} repository, then streaming for the rest), or any name with a
 * {@code postgresql.NAME: {command, keep_data, no_params}} section.
 *
 * @param command the command that fills the data directory (given {@code --scope}, {@code --datadir},
 *     {@code --role=replica} and the leader's {@code --connstring} unless {@code noParams}); empty
 *     for Spilo's built-in basebackup and pgbackrest
 * @param keepData leave the data directory's content to the command instead of emptying it first
 */
public record ReplicaMethod(String name, Optional<String> command, boolean keepData, boolean noParams) {
    public static final ReplicaMethod BASEBACKUP = new ReplicaMethod("basebackup", Optional.empty(), false, false);

    public boolean basebackup() {
        return name.equals("basebackup") && command.isEmpty();
    }

    static List<ReplicaMethod> from(JsonNode postgresql) {
        JsonNode methods = postgresql.path("create_replica_methods");
        if (methods.isMissingNode() || methods.isNull()) {
            return List.of(BASEBACKUP);
        }
        if (!methods.isArray() || methods.isEmpty()) {
            throw new ConfigException("postgresql.create_replica_methods: must be a list of methods, for example [pgbackrest, basebackup]");
        }
        List<ReplicaMethod> result = new ArrayList<>();
        for (JsonNode entry : methods) {
            String name = entry.asText();
            if (entry.isContainerNode() || !name.matches("[A-Za-z0-9_-]+")) {
                throw new ConfigException("postgresql.create_replica_methods: '" + entry + "' is not a method name");
            }
            JsonNode section = postgresql.path(name);
            Optional<String> command = section.path("command").isTextual() && !section.path("command").asText().isBlank()
                    ? Optional.of(section.path("command").asText()) : Optional.empty();
            if (command.isEmpty() && !name.equals("basebackup") && !name.equals("pgbackrest")) {
                throw new ConfigException("postgresql." + name + ".command: missing (create_replica_methods names " + name
                        + "; only basebackup and pgbackrest are built in)");
            }
            result.add(new ReplicaMethod(name, command, section.path("keep_data").asBoolean(false),
                    section.path("no_params").asBoolean(false)));
        }
        return List.copyOf(result);
    }
}
