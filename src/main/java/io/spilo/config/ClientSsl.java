package io.spilo.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How one PostgreSQL role connects to another member: Patroni's libpq keys beside its user name in
 * {@code postgresql.authentication.<role>} ({@code sslmode}, {@code sslcert}, {@code sslkey},
 * {@code sslrootcert}, {@code sslcrl}, {@code sslcrldir}, {@code channel_binding}, {@code gssencmode}).
 * They go into {@code primary_conninfo}, pg_rewind's source and pg_basebackup's environment as they are.
 */
public record ClientSsl(Map<String, String> options) {
    /** The libpq keywords read, in the order they are written, with the environment variable of each. */
    static final Map<String, String> KEYWORDS = orderedKeywords();

    public static final ClientSsl NONE = new ClientSsl(Map.of());

    public ClientSsl {
        options = Map.copyOf(options);
        for (String key : options.keySet()) {
            if (!KEYWORDS.containsKey(key)) {
                throw new ConfigException("'" + key + "' is not a libpq connection keyword Spilo passes on (one of "
                        + String.join(", ", KEYWORDS.keySet()) + ")");
            }
        }
    }

    private static Map<String, String> orderedKeywords() {
        Map<String, String> keywords = new LinkedHashMap<>();
        keywords.put("sslmode", "PGSSLMODE");
        keywords.put("sslcert", "PGSSLCERT");
        keywords.put("sslkey", "PGSSLKEY");
        keywords.put("sslrootcert", "PGSSLROOTCERT");
        keywords.put("sslcrl", "PGSSLCRL");
        keywords.put("sslcrldir", "PGSSLCRLDIR");
        keywords.put("channel_binding", "PGCHANNELBINDING");
        keywords.put("gssencmode", "PGGSSENCMODE");
        return java.util.Collections.unmodifiableMap(keywords);
    }

    /** {@code sslmode}, {@code prefer} (libpq's default) when not set. */
    public String sslmode() {
        return options.getOrDefault("sslmode", "prefer");
    }

    public Optional<Path> rootCertificate() {
        return Optional.ofNullable(options.get("sslrootcert")).map(Path::of);
    }

    /** {@code key=value} pairs for a connection string, in a fixed order, values quoted for libpq. */
    public String conninfo() {
        StringBuilder text = new StringBuilder();
        KEYWORDS.keySet().stream().filter(options::containsKey)
                .forEach(key -> text.append(text.isEmpty() ? "" : " ").append(key).append('=').append(quote(options.get(key))));
        return text.toString();
    }

    /** The same settings as libpq environment variables, for programs given only a host and port (pg_basebackup). */
    public Map<String, String> environment() {
        Map<String, String> environment = new LinkedHashMap<>();
        options.forEach((key, value) -> environment.put(KEYWORDS.get(key), value));
        return environment;
    }

    /** Keywords that name files: resolved against the configuration's directory like every other path. */
    static List<String> fileKeywords() {
        return List.of("sslcert", "sslkey", "sslrootcert", "sslcrl", "sslcrldir");
    }

    private static String quote(String value) {
        if (!value.isEmpty() && value.chars().noneMatch(c -> c == ' ' || c == '\'' || c == '\\')) {
            return value;
        }
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
