package io.spilo.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Optional;

/** Typed access to the parsed YAML tree: each reader names the key path in its ConfigException. */
class ConfigTree {
    final ObjectNode root;

    ConfigTree(ObjectNode root) {
        this.root = root;
    }

    Optional<Credentials> credentials(String path) {
        JsonNode node = at(path);
        if (node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isObject()) {
            throw new ConfigException(path + ": must be a mapping with username and password");
        }
        String username = optionalText(path + ".username")
                .orElseThrow(() -> new ConfigException(path + ".username: missing"));
        return Optional.of(new Credentials(username, optionalText(path + ".password").orElse(null)));
    }

    /** The libpq keys beside a role's user name ({@code sslmode}, {@code sslrootcert}, ...); other keys are not for libpq. */
    ClientSsl clientSsl(String path) {
        JsonNode node = at(path);
        if (!node.isObject()) {
            return ClientSsl.NONE;
        }
        java.util.Map<String, String> options = new java.util.LinkedHashMap<>();
        for (String keyword : ClientSsl.KEYWORDS.keySet()) {
            optionalText(path + "." + keyword).ifPresent(value -> options.put(keyword,
                    ClientSsl.fileKeywords().contains(keyword) ? absolutePath(path + "." + keyword, value).toString() : value));
        }
        String mode = options.getOrDefault("sslmode", "prefer");
        if (!java.util.List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full").contains(mode)) {
            throw new ConfigException(path + ".sslmode: '" + mode + "' must be disable, allow, prefer, require, verify-ca or verify-full");
        }
        if ((mode.equals("verify-ca") || mode.equals("verify-full")) && !options.containsKey("sslrootcert")) {
            throw new ConfigException(path + ".sslmode: " + mode + " needs " + path + ".sslrootcert, the CA that signed"
                    + " the servers' certificates");
        }
        return new ClientSsl(options);
    }

    JsonNode at(String path) {
        JsonNode node = root;
        for (String part : path.split("\\.")) {
            node = node.path(part);
        }
        return node;
    }

    String requiredText(String path) {
        return optionalText(path).orElseThrow(() -> new ConfigException(path + ": missing"));
    }

    Optional<String> optionalText(String path) {
        JsonNode node = at(path);
        if (node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        if (node.isContainerNode()) {
            throw new ConfigException(path + ": must be a single value, not a " + (node.isArray() ? "list" : "mapping"));
        }
        String text = node.asText().strip();
        if (text.isEmpty()) {
            throw new ConfigException(path + ": is empty");
        }
        return Optional.of(text);
    }

    boolean bool(String path, boolean defaultValue) {
        JsonNode node = at(path);
        if (node.isMissingNode() || node.isNull()) {
            return defaultValue;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        return switch (node.asText().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "on", "yes" -> true;
            case "false", "off", "no" -> false;
            default -> throw new ConfigException(path + ": '" + node.asText() + "' is not true or false");
        };
    }

    int port(String path, int defaultValue) {
        int port = integer(path, defaultValue);
        if (port < 1 || port > 65535) {
            throw new ConfigException(path + ": " + port + " is outside 1..65535");
        }
        return port;
    }

    int integer(String path, int defaultValue) {
        JsonNode node = at(path);
        if (node.isMissingNode() || node.isNull()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(node.asText().strip());
        } catch (NumberFormatException e) {
            throw new ConfigException(path + ": '" + node.asText() + "' is not a whole number");
        }
    }

    static Path absolutePath(String path, String value) {
        Path parsed = Path.of(value);
        if (!parsed.isAbsolute()) {
            throw new ConfigException(path + ": '" + value + "' must be an absolute path");
        }
        return parsed.normalize();
    }
}
