package io.spilo.postgres;

import io.spilo.config.Credentials;
import io.spilo.config.PostgresConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * postgresql.conf, pg_hba.conf, standby.signal and the password file: rendered by pure functions
 * from the configuration, written only when their content changes.
 */
final class ConfigFiles {
    /**
     * Parameters a standby must hold at least at the primary's values, or it refuses to start
     * (for example after max_connections was raised on the primary first). The control file
     * records the primary's values as replayed from WAL.
     */
    private static final Map<String, String> PRIMARY_BOUND_PARAMETERS = Map.of(
            "max_connections", "max_connections setting",
            "max_worker_processes", "max_worker_processes setting",
            "max_wal_senders", "max_wal_senders setting",
            "max_prepared_transactions", "max_prepared_xacts setting",
            "max_locks_per_transaction", "max_locks_per_xact setting");

    private final PostgresConfig config;
    private final String memberName;
    private final DataDirectory directory;
    private final ControlData controlData;

    private final Map<String, String> featureParameters;

    ConfigFiles(PostgresConfig config, String memberName, DataDirectory directory, ControlData controlData) {
        this(config, memberName, directory, controlData, Map.of());
    }

    /**
     * @param featureParameters what a configured feature needs (WAL archiving for backups); the
     *     cluster's and the member's own parameters override them
     */
    ConfigFiles(PostgresConfig config, String memberName, DataDirectory directory, ControlData controlData,
            Map<String, String> featureParameters) {
        this.config = config;
        this.memberName = memberName;
        this.directory = directory;
        this.controlData = controlData;
        this.featureParameters = Map.copyOf(featureParameters);
    }

    /** Writes every file; true when one changed (PostgreSQL must reload or restart to see it). */
    boolean write(boolean standby, Optional<Upstream> upstream, Map<String, String> clusterParameters) {
        Map<String, String> parameters = parameters(clusterParameters);
        if (standby) {
            if (Files.exists(config.dataDirectory().resolve("global/pg_control"))) {
                raiseToPrimaryValues(parameters, controlData.read());
            }
            parameters.put("primary_conninfo", upstream.map(this::primaryConninfo).orElse(""));
            parameters.put("primary_slot_name", upstream.map(Upstream::slotName).orElse(""));
        }
        try {
            Path data = config.dataDirectory();
            boolean changed = directory.writeIfChanged(data.resolve("postgresql.conf"), renderPostgresqlConf(memberName, parameters));
            changed |= directory.writeIfChanged(data.resolve("pg_hba.conf"), String.join("\n", pgHbaLines(parameters)) + "\n");
            Path signal = data.resolve("standby.signal");
            if (standby && !Files.exists(signal)) {
                directory.writeOwnedFile(signal, "");
                changed = true;
            } else if (!standby) {
                changed |= Files.deleteIfExists(signal);
            }
            writePasswordFile();
            return changed;
        } catch (IOException e) {
            throw new PostgresException("cannot write the configuration in " + config.dataDirectory() + ": " + e.getMessage()
                    + " (is the disk full or the directory not writable?)", e);
        }
    }

    /** Spilo's base parameters, then those of configured features, then the cluster's, then this member's own. */
    Map<String, String> parameters(Map<String, String> clusterParameters) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("listen_addresses", config.listen().host());
        parameters.put("port", Integer.toString(config.listen().port()));
        parameters.put("unix_socket_directories", config.socketDirectory().toString());
        parameters.put("wal_level", "replica");
        parameters.put("hot_standby", "on");
        parameters.put("max_wal_senders", "10");
        parameters.put("max_replication_slots", "10");
        parameters.put("wal_keep_size", "128MB");
        // A standby whose primary went away tries to stream again after this (PostgreSQL: 5 s): a primary
        // restarted in place gets its synchronous standbys back, and commits stop waiting, within a second.
        parameters.put("wal_retrieve_retry_interval", "1s");
        parameters.put("wal_log_hints", "on");
        parameters.put("max_connections", "100");
        // Shown by ps and logged; lets clients see which member answered (current_setting('cluster_name')).
        parameters.put("cluster_name", memberName);
        new java.util.TreeMap<>(featureParameters).forEach(parameters::put);
        parameters.putAll(clusterParameters);
        parameters.putAll(config.parameters());
        return parameters;
    }

    static String renderPostgresqlConf(String memberName, Map<String, String> parameters) {
        StringBuilder text = new StringBuilder()
                .append("# Written by Spilo for member ").append(memberName)
                .append(": edits here are overwritten. Change the Spilo configuration instead.\n")
                .append("include_if_exists 'postgresql.base.conf'\n");
        parameters.forEach((name, value) -> {
            if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                // A line break would end the value and corrupt the file: keep the file as it is.
                throw new PostgresException("parameter " + name + " has a control character in its value; it is not written to"
                        + " postgresql.conf (correct it with spilo edit-config)");
            }
            text.append(name).append(" = ").append(quote(value)).append('\n');
        });
        return text.toString();
    }

    static void raiseToPrimaryValues(Map<String, String> parameters, Map<String, String> control) {
        PRIMARY_BOUND_PARAMETERS.forEach((parameter, controlField) -> {
            int primaryValue = ControlData.parseInt(control.get(controlField));
            int configured = ControlData.parseInt(parameters.get(parameter));
            if (primaryValue > 0 && configured > 0 && primaryValue > configured) {
                parameters.put(parameter, Integer.toString(primaryValue));
            }
        });
    }

    /**
     * The operator's {@code postgresql.pg_hba}, else Spilo's: peer for local sockets, scram-sha-256
     * over TCP; with {@code ssl = on}, TCP connections must use TLS ({@code hostssl}), so a password
     * never crosses a network in the clear.
     */
    List<String> pgHbaLines(Map<String, String> parameters) {
        if (!config.pgHba().isEmpty()) {
            return config.pgHba();
        }
        String host = isOn(parameters.get("ssl")) ? "hostssl" : "host";
        String replicationUser = config.replication().username();
        return List.of(
                "# Written by Spilo (postgresql.pg_hba was not set)",
                "local all all peer",
                host + " all all 127.0.0.1/32 scram-sha-256",
                host + " all all ::1/128 scram-sha-256",
                host + " replication " + replicationUser + " 0.0.0.0/0 scram-sha-256",
                host + " replication " + replicationUser + " ::0/0 scram-sha-256",
                host + " all all 0.0.0.0/0 scram-sha-256",
                host + " all all ::0/0 scram-sha-256");
    }

    /** PostgreSQL's spellings of a true boolean. */
    private static boolean isOn(String value) {
        return value != null && java.util.Set.of("on", "true", "yes", "1").contains(value.strip().toLowerCase(java.util.Locale.ROOT));
    }

    String primaryConninfo(Upstream source) {
        return "host=" + source.host() + " port=" + source.port() + " user=" + config.replication().username()
                + " passfile=" + config.passfile() + " application_name=" + memberName + " " + replicationSsl()
                + " connect_timeout=3 keepalives=1 keepalives_idle=5 keepalives_interval=2 keepalives_count=3";
    }

    /** {@code authentication.replication}'s libpq TLS keys; {@code sslmode=prefer} (libpq's default) when none is set. */
    private String replicationSsl() {
        String keys = config.replicationSsl().conninfo();
        return config.replicationSsl().options().containsKey("sslmode") ? keys : ("sslmode=prefer " + keys).strip();
    }

    /** The libpq password file the replicas, pg_basebackup and pg_rewind use. */
    void writePasswordFile() {
        StringBuilder lines = new StringBuilder();
        for (Credentials credentials : List.of(config.replication(), config.superuser())) {
            lines.append("*:*:*:").append(escapePassfile(credentials.username())).append(':')
                    .append(escapePassfile(credentials.password())).append('\n');
        }
        try {
            directory.writeIfChanged(config.passfile(), lines.toString());
        } catch (IOException e) {
            throw new PostgresException("cannot write " + config.passfile() + ": " + e.getMessage(), e);
        }
    }

    /** {@code host:port} from a libpq connection string, as written by {@link #primaryConninfo}. */
    static Optional<String> conninfoHostPort(String conninfo) {
        if (conninfo == null || conninfo.isBlank()) {
            return Optional.empty();
        }
        String host = null;
        String port = "5432";
        for (String part : conninfo.trim().split("\\s+")) {
            int equals = part.indexOf('=');
            if (equals < 0) {
                continue;
            }
            String key = part.substring(0, equals);
            String value = part.substring(equals + 1).replace("'", "");
            if (key.equals("host")) {
                host = value;
            } else if (key.equals("port")) {
                port = value;
            }
        }
        return host == null ? Optional.empty() : Optional.of(host + ":" + port);
    }

    private static String escapePassfile(String value) {
        return value.replace("\\", "\\\\").replace(":", "\\:");
    }

    static String quote(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }
}
