package io.spilo.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Patroni's custom bootstrap ({@code bootstrap.method: NAME} with a {@code bootstrap.NAME:}
 * section): a new cluster made from an existing backup instead of initdb. With {@code command},
 * that command fills the data directory (given {@code --scope} and {@code --datadir} unless
 * {@code no_params}); without one, method {@code pgbackrest} restores the stanza {@code stanza}
 * (default: {@code backup.stanza}) from the repository of the {@code backup:} section, to the
 * target its {@code recovery_conf} names.
 *
 * @param keepExistingRecoveryConf keep the recovery settings the command wrote; otherwise
 *     {@code recovery_conf} is used for the first start
 */
public record BootstrapMethod(String name, Optional<String> command, boolean noParams, boolean keepExistingRecoveryConf,
        Map<String, String> recoveryConf, Optional<String> stanza) {
    public BootstrapMethod {
        recoveryConf = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(recoveryConf));
    }

    /** Spilo runs pgBackRest's restore itself. */
    public boolean builtInRestore() {
        return command.isEmpty();
    }

    static Optional<BootstrapMethod> from(JsonNode bootstrap) {
        JsonNode methodNode = bootstrap.path("method");
        if (methodNode.isMissingNode() || methodNode.isNull() || methodNode.asText().equals("initdb")) {
            return Optional.empty();
        }
        String name = methodNode.asText();
        if (methodNode.isContainerNode() || !name.matches("[A-Za-z0-9_-]+")) {
            throw new ConfigException("bootstrap.method: '" + methodNode.asText() + "' must be initdb or the name of a section"
                    + " under bootstrap (for example pgbackrest)");
        }
        JsonNode section = bootstrap.path(name);
        if (!section.isObject()) {
            throw new ConfigException("bootstrap." + name + ": missing; bootstrap.method names it (command, no_params,"
                    + " keep_existing_recovery_conf, recovery_conf)");
        }
        Optional<String> command = text(section, name, "command");
        if (command.isEmpty() && !name.equals("pgbackrest")) {
            throw new ConfigException("bootstrap." + name + ".command: missing (only method pgbackrest has a built-in restore)");
        }
        Map<String, String> recovery = new LinkedHashMap<>();
        JsonNode recoveryNode = section.path("recovery_conf");
        if (recoveryNode.isObject()) {
            recoveryNode.fields().forEachRemaining(field -> {
                if (field.getValue().isContainerNode()) {
                    throw new ConfigException("bootstrap." + name + ".recovery_conf." + field.getKey() + ": must be a single value");
                }
                recovery.put(field.getKey(), field.getValue().asText());
            });
        } else if (!recoveryNode.isMissingNode() && !recoveryNode.isNull()) {
            throw new ConfigException("bootstrap." + name + ".recovery_conf: must be a mapping (recovery_target_time: ..., ...)");
        }
        return Optional.of(new BootstrapMethod(name, command, flag(section, "no_params"), flag(section, "keep_existing_recovery_conf"),
                recovery, text(section, name, "stanza")));
    }

    private static boolean flag(JsonNode section, String key) {
        JsonNode value = section.path(key);
        return value.asBoolean(false) || value.asText().equalsIgnoreCase("true") || value.asText().equalsIgnoreCase("on");
    }

    private static Optional<String> text(JsonNode section, String name, String key) {
        JsonNode value = section.path(key);
        if (value.isMissingNode() || value.isNull()) {
            return Optional.empty();
        }
        if (value.isContainerNode() || value.asText().isBlank()) {
            throw new ConfigException("bootstrap." + name + "." + key + ": must be a single non-empty value");
        }
        return Optional.of(value.asText());
    }
}
