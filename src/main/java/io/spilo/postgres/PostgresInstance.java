package io.spilo.postgres;

import io.spilo.config.Credentials;
import io.spilo.config.HostPort;
import io.spilo.config.PostgresConfig;
import io.spilo.process.ProcessFailedException;
import io.spilo.process.ProcessResult;
import io.spilo.process.ProcessRunner;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Postgres} over pg_ctl, initdb, pg_basebackup and JDBC. PostgreSQL is started with
 * {@code pg_ctl -l} so the postmaster is not this JVM's child: the agent can stop or crash
 * without taking PostgreSQL with it, and a new agent adopts the running postmaster.
 */
public final class PostgresInstance implements Postgres {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresInstance.class);
    private static final Duration SHORT_TIMEOUT = Duration.ofSeconds(30);
    private static final int QUERY_TIMEOUT_SECONDS = 5;
    private static final DateTimeFormatter PATRONI_TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx");

    private static final String STATE_QUERY = """
            SELECT pg_is_in_recovery(),
                   (CASE WHEN pg_is_in_recovery()
                         THEN GREATEST(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())
                         ELSE pg_current_wal_lsn() END - '0/0'::pg_lsn)::bigint,
                   COALESCE((pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint, 0),
                   (SELECT system_identifier FROM pg_control_system())::text,
                   current_setting('server_version_num')::int,
                   pg_postmaster_start_time(),
                   CASE WHEN pg_is_in_recovery()
                        THEN COALESCE((SELECT received_tli FROM pg_stat_get_wal_receiver()),
                                      (SELECT timeline_id FROM pg_control_checkpoint()))
                        ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END,
                   (SELECT status FROM pg_stat_get_wal_receiver()),
                   current_setting('primary_conninfo'),
                   pg_last_xact_replay_timestamp(),
                   EXISTS (SELECT 1 FROM pg_settings WHERE pending_restart)
            """;

    private final PostgresConfig config;
    private final String memberName;
    private final ProcessRunner runner;
    private Connection connection;

    public PostgresInstance(PostgresConfig config, String memberName, ProcessRunner runner) {
        this.config = config;
        this.memberName = memberName;
        this.runner = runner;
    }

    @Override
    public LocalState state() {
        Path dataDirectory = config.dataDirectory();
        boolean initialized = Files.exists(dataDirectory.resolve("PG_VERSION"));
        if (!initialized) {
            return LocalState.empty();
        }
        Optional<String> systemIdentifier = readSystemIdentifier();
        Optional<Long> pid = livePostmasterPid();
        if (pid.isEmpty()) {
            closeConnection();
            return stoppedState(systemIdentifier);
        }
        try {
            return queryState(pid.get());
        } catch (SQLException e) {
            LOG.debug("postmaster {} alive but not answering: {}", pid.get(), e.getMessage());
            closeConnection();
            return LocalState.starting(pid.get(), systemIdentifier);
        }
    }

    private LocalState queryState(long pid) throws SQLException {
        Connection current = connection();
        try (Statement statement = current.createStatement()) {
            statement.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            boolean inRecovery;
            long walPosition;
            long replayed;
            String systemIdentifier;
            int serverVersion;
            String startTime;
            int timeline;
            String receiverStatus;
            String primaryConninfo;
            Optional<String> replayTimestamp;
            boolean pendingRestart;
            try (ResultSet row = statement.executeQuery(STATE_QUERY)) {
                row.next();
                inRecovery = row.getBoolean(1);
                walPosition = row.getLong(2);
                replayed = row.getLong(3);
                systemIdentifier = row.getString(4);
                serverVersion = row.getInt(5);
                startTime = row.getObject(6, OffsetDateTime.class).format(PATRONI_TIMESTAMP);
                timeline = row.getInt(7);
                receiverStatus = row.getString(8);
                primaryConninfo = row.getString(9);
                OffsetDateTime replayedAt = row.getObject(10, OffsetDateTime.class);
                replayTimestamp = Optional.ofNullable(replayedAt).map(time -> time.format(PATRONI_TIMESTAMP));
                pendingRestart = row.getBoolean(11);
            }
            List<ReplicationConnection> replication = new ArrayList<>();
            if (!inRecovery) {
                try (ResultSet rows = statement.executeQuery("SELECT application_name, host(client_addr), state,"
                        + " sync_priority, sync_state, usename FROM pg_stat_replication ORDER BY application_name")) {
                    while (rows.next()) {
                        replication.add(new ReplicationConnection(rows.getString(1), rows.getString(2), rows.getString(3),
                                rows.getInt(4), rows.getString(5), rows.getString(6)));
                    }
                }
            }
            Optional<String> upstream = inRecovery ? conninfoHostPort(primaryConninfo) : Optional.empty();
            return new LocalState(true, RunState.RUNNING, Optional.of(pid), Optional.of(systemIdentifier), inRecovery,
                    timeline, walPosition, replayed, replayTimestamp, upstream, "streaming".equals(receiverStatus),
                    serverVersion, Optional.of(startTime), replication, Optional.empty(), 0, pendingRestart);
        }
    }

    /** Reads the control file with pg_controldata: how PostgreSQL last stopped, and on which timeline. */
    private LocalState stoppedState(Optional<String> systemIdentifier) {
        Map<String, String> control = controlData();
        Optional<String> clusterState = Optional.ofNullable(control.get("Database cluster state"));
        int timeline = parseInt(control.get("Latest checkpoint's TimeLineID"));
        long position = parseLsn(control.get("Latest checkpoint location"));
        return LocalState.stopped(true, systemIdentifier, clusterState, timeline, position);
    }

    private Map<String, String> controlData() {
        Map<String, String> values = new LinkedHashMap<>();
        try {
            ProcessResult result = runner.runAsPostgresUser(
                    List.of(config.program("pg_controldata").toString(), config.dataDirectory().toString()),
                    Map.of("LC_ALL", "C"), SHORT_TIMEOUT);
            if (!result.succeeded()) {
                LOG.warn("pg_controldata failed (exit {}): {}", result.exitCode(), result.tail());
                return values;
            }
            for (String line : result.output().split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    values.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
                }
            }
        } catch (ProcessFailedException e) {
            LOG.warn("pg_controldata failed: {}", e.getMessage());
        }
        return values;
    }

    private static int parseInt(String text) {
        try {
            return text == null ? 0 : Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** An LSN written as {@code 0/3000028}: high and low 32-bit halves in hex. */
    static long parseLsn(String text) {
        if (text == null || !text.contains("/")) {
            return 0;
        }
        String[] halves = text.strip().split("/");
        try {
            return (Long.parseLong(halves[0], 16) << 32) | Long.parseLong(halves[1], 16);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** {@code host:port} from a libpq connection string, as written by {@link #writeConfiguration}. */
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

    @Override
    public void initialize(List<String> initdbOptions) {
        prepareDirectories();
        Path passwordFile = config.dataDirectory().resolveSibling(config.dataDirectory().getFileName() + ".initdb-pw");
        try {
            writeOwnedFile(passwordFile, config.superuser().password() + "\n");
            List<String> command = new ArrayList<>(List.of(config.program("initdb").toString(),
                    "-D", config.dataDirectory().toString(),
                    "-U", config.superuser().username(),
                    "--pwfile=" + passwordFile,
                    "--auth-local=peer", "--auth-host=scram-sha-256"));
            boolean checksums = false;
            for (String option : initdbOptions) {
                if (option.equals("data-checksums") || option.equals("k")) {
                    checksums = true;
                    continue;
                }
                command.add(option.length() == 1 ? "-" + option : "--" + option);
            }
            // Data checksums are on by default: pg_rewind needs them (or wal_log_hints) to rejoin a former primary.
            if (!checksums) {
                LOG.info("initdb: data checksums enabled by default (pg_rewind relies on them)");
            }
            command.add("--data-checksums");
            ProcessResult result = runner.runAsPostgresUser(command, Map.of(), Duration.ofMinutes(5));
            if (!result.succeeded()) {
                throw new PostgresException("initdb failed (exit " + result.exitCode() + "): " + result.tail());
            }
            Path original = config.dataDirectory().resolve("postgresql.conf");
            Path base = config.dataDirectory().resolve("postgresql.base.conf");
            Files.move(original, base);
        } catch (IOException e) {
            throw new PostgresException("cannot prepare " + config.dataDirectory() + " for initdb: " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(passwordFile);
            } catch (IOException ignored) {
                // the file held only the superuser password and is removed on the next attempt
            }
        }
    }

    @Override
    public boolean writeConfiguration(boolean standby, Optional<Upstream> upstream, Map<String, String> clusterParameters) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("listen_addresses", config.listen().host());
        parameters.put("port", Integer.toString(config.listen().port()));
        parameters.put("unix_socket_directories", config.socketDirectory().toString());
        parameters.put("wal_level", "replica");
        parameters.put("hot_standby", "on");
        parameters.put("max_wal_senders", "10");
        parameters.put("max_replication_slots", "10");
        parameters.put("wal_keep_size", "128MB");
        parameters.put("wal_log_hints", "on");
        parameters.put("max_connections", "100");
        // Shown by ps and logged; lets clients see which member answered (current_setting('cluster_name')).
        parameters.put("cluster_name", memberName);
        parameters.putAll(clusterParameters);
        parameters.putAll(config.parameters());
        if (standby) {
            raiseToPrimaryValues(parameters);
            upstream.ifPresentOrElse(source -> {
                parameters.put("primary_conninfo", primaryConninfo(source));
                parameters.put("primary_slot_name", source.slotName());
            }, () -> {
                parameters.put("primary_conninfo", "");
                parameters.put("primary_slot_name", "");
            });
        }
        StringBuilder text = new StringBuilder()
                .append("# Written by Spilo for member ").append(memberName)
                .append(": edits here are overwritten. Change the Spilo configuration instead.\n")
                .append("include_if_exists 'postgresql.base.conf'\n");
        parameters.forEach((name, value) -> text.append(name).append(" = ").append(quote(value)).append('\n'));
        try {
            boolean changed = writeIfChanged(config.dataDirectory().resolve("postgresql.conf"), text.toString());
            changed |= writeIfChanged(config.dataDirectory().resolve("pg_hba.conf"), String.join("\n", pgHbaLines()) + "\n");
            Path signal = config.dataDirectory().resolve("standby.signal");
            if (standby && !Files.exists(signal)) {
                writeOwnedFile(signal, "");
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

    private void raiseToPrimaryValues(Map<String, String> parameters) {
        if (!Files.exists(config.dataDirectory().resolve("global/pg_control"))) {
            return;
        }
        Map<String, String> control = controlData();
        PRIMARY_BOUND_PARAMETERS.forEach((parameter, controlField) -> {
            int primaryValue = parseInt(control.get(controlField));
            int configured = parseInt(parameters.get(parameter));
            if (primaryValue > 0 && configured > 0 && primaryValue > configured) {
                parameters.put(parameter, Integer.toString(primaryValue));
            }
        });
    }

    /** Writes the file only when its content differs; true when it did. */
    private boolean writeIfChanged(Path path, String content) throws IOException {
        if (Files.exists(path) && Files.readString(path, StandardCharsets.UTF_8).equals(content)) {
            return false;
        }
        writeOwnedFile(path, content);
        return true;
    }

    private List<String> pgHbaLines() {
        if (!config.pgHba().isEmpty()) {
            return config.pgHba();
        }
        String replicationUser = config.replication().username();
        return List.of(
                "# Written by Spilo (postgresql.pg_hba was not set)",
                "local all all peer",
                "host all all 127.0.0.1/32 scram-sha-256",
                "host all all ::1/128 scram-sha-256",
                "host replication " + replicationUser + " 0.0.0.0/0 scram-sha-256",
                "host replication " + replicationUser + " ::0/0 scram-sha-256",
                "host all all 0.0.0.0/0 scram-sha-256",
                "host all all ::0/0 scram-sha-256");
    }

    private String primaryConninfo(Upstream source) {
        return "host=" + source.host() + " port=" + source.port() + " user=" + config.replication().username()
                + " passfile=" + config.passfile() + " application_name=" + memberName
                + " sslmode=prefer connect_timeout=3 keepalives=1 keepalives_idle=5 keepalives_interval=2 keepalives_count=3";
    }

    private void writePasswordFile() throws IOException {
        StringBuilder lines = new StringBuilder();
        for (Credentials credentials : List.of(config.replication(), config.superuser())) {
            lines.append("*:*:*:").append(escapePassfile(credentials.username())).append(':')
                    .append(escapePassfile(credentials.password())).append('\n');
        }
        writeIfChanged(config.passfile(), lines.toString());
    }

    private static String escapePassfile(String value) {
        return value.replace("\\", "\\\\").replace(":", "\\:");
    }

    private static String quote(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    @Override
    public void start(Duration timeout) {
        prepareDirectories();
        ProcessResult result = pgCtl(List.of("start", "-D", config.dataDirectory().toString(),
                "-l", config.serverLogFile().toString(), "-w", "-t", Long.toString(timeout.toSeconds())),
                timeout.plusSeconds(10));
        if (!result.succeeded()) {
            throw new PostgresException("pg_ctl start failed (exit " + result.exitCode() + "): " + result.tail()
                    + "; see " + config.serverLogFile());
        }
    }

    @Override
    public void startInBackground() {
        prepareDirectories();
        ProcessResult result = pgCtl(List.of("start", "-D", config.dataDirectory().toString(),
                "-l", config.serverLogFile().toString(), "-W"), SHORT_TIMEOUT);
        if (!result.succeeded()) {
            throw new PostgresException("pg_ctl start failed (exit " + result.exitCode() + "): " + result.tail()
                    + "; see " + config.serverLogFile());
        }
    }

    @Override
    public void rewind(Upstream source, Duration timeout) {
        String clusterState = Optional.ofNullable(controlData().get("Database cluster state")).orElse("");
        if (!clusterState.equals("shut down") && !clusterState.equals("shut down in recovery")) {
            // pg_rewind first runs crash recovery in single-user mode, which refuses standby mode:
            // the signal file goes (it is written again before the server starts as a replica).
            try {
                Files.deleteIfExists(config.dataDirectory().resolve("standby.signal"));
                Files.deleteIfExists(config.dataDirectory().resolve("recovery.signal"));
            } catch (IOException e) {
                throw new PostgresException("cannot prepare " + config.dataDirectory() + " for pg_rewind: " + e.getMessage(), e);
            }
        }
        try {
            writePasswordFile();
        } catch (IOException e) {
            throw new PostgresException("cannot write " + config.passfile() + ": " + e.getMessage(), e);
        }
        checkpointOn(source);
        String sourceServer = "host=" + source.host() + " port=" + source.port() + " user=" + config.superuser().username()
                + " dbname=postgres passfile=" + config.passfile() + " connect_timeout=5";
        List<String> command = List.of(config.program("pg_rewind").toString(), "-D", config.dataDirectory().toString(),
                "--source-server=" + sourceServer);
        ProcessResult result;
        try {
            result = runner.runAsPostgresUser(command, Map.of("PGPASSFILE", config.passfile().toString()), timeout);
        } catch (ProcessFailedException e) {
            throw new PostgresException("pg_rewind from " + source.host() + ":" + source.port() + " failed: " + e.getMessage(), e);
        }
        if (!result.succeeded()) {
            throw new PostgresException("pg_rewind from " + source.host() + ":" + source.port() + " failed (exit "
                    + result.exitCode() + "): " + result.tail());
        }
        LOG.info("pg_rewind from {}:{}: {}", source.host(), source.port(), result.tail());
    }

    @Override
    public void stop(Duration timeout) {
        closeConnection();
        if (livePostmasterPid().isEmpty()) {
            return;
        }
        ProcessResult result = pgCtl(List.of("stop", "-D", config.dataDirectory().toString(), "-m", "fast", "-w",
                "-t", Long.toString(timeout.toSeconds())), timeout.plusSeconds(10));
        if (!result.succeeded() && livePostmasterPid().isPresent()) {
            LOG.warn("fast shutdown failed ({}); stopping PostgreSQL immediately", result.tail());
            ProcessResult immediate = pgCtl(List.of("stop", "-D", config.dataDirectory().toString(), "-m", "immediate",
                    "-w", "-t", "30"), Duration.ofSeconds(40));
            if (!immediate.succeeded() && livePostmasterPid().isPresent()) {
                throw new PostgresException("pg_ctl stop failed (exit " + immediate.exitCode() + "): " + immediate.tail());
            }
        }
    }

    @Override
    public void promote(Duration timeout) {
        ProcessResult result = pgCtl(List.of("promote", "-D", config.dataDirectory().toString(), "-w",
                "-t", Long.toString(timeout.toSeconds())), timeout.plusSeconds(10));
        if (!result.succeeded()) {
            throw new PostgresException("pg_ctl promote failed (exit " + result.exitCode() + "): " + result.tail());
        }
    }

    @Override
    public void reload() {
        ProcessResult result = pgCtl(List.of("reload", "-D", config.dataDirectory().toString()), SHORT_TIMEOUT);
        if (!result.succeeded()) {
            throw new PostgresException("pg_ctl reload failed (exit " + result.exitCode() + "): " + result.tail());
        }
    }

    @Override
    public void checkpoint() {
        execute("CHECKPOINT", "run a checkpoint");
    }

    @Override
    public void cloneFrom(Upstream upstream, Duration timeout) {
        prepareDirectories();
        try {
            writePasswordFile();
        } catch (IOException e) {
            throw new PostgresException("cannot write " + config.passfile() + ": " + e.getMessage(), e);
        }
        List<String> command = List.of(config.program("pg_basebackup").toString(),
                "-D", config.dataDirectory().toString(), "-X", "stream", "-c", "fast", "--no-password",
                "-h", upstream.host(), "-p", Integer.toString(upstream.port()), "-U", config.replication().username());
        ProcessResult result;
        try {
            result = runner.runAsPostgresUser(command,
                    Map.of("PGPASSFILE", config.passfile().toString(), "PGAPPNAME", memberName, "PGCONNECT_TIMEOUT", "5"),
                    timeout);
        } catch (ProcessFailedException e) {
            emptyDataDirectory();
            throw new PostgresException("pg_basebackup from " + upstream.host() + ":" + upstream.port() + " failed: "
                    + e.getMessage(), e);
        }
        if (!result.succeeded()) {
            emptyDataDirectory();
            throw new PostgresException("pg_basebackup from " + upstream.host() + ":" + upstream.port() + " failed (exit "
                    + result.exitCode() + "): " + result.tail());
        }
    }

    @Override
    public void ensureReplicationRole() {
        Credentials replication = config.replication();
        String role = "\"" + replication.username().replace("\"", "\"\"") + "\"";
        String password = quote(replication.password());
        String sql = "DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = " + quote(replication.username())
                + ") THEN CREATE ROLE " + role + " WITH REPLICATION LOGIN; END IF; END$$;"
                + " ALTER ROLE " + role + " WITH REPLICATION LOGIN PASSWORD " + password;
        execute(sql, "create the replication role " + replication.username());
    }

    @Override
    public List<String> physicalReplicationSlots() {
        List<String> slots = new ArrayList<>();
        try (Statement statement = connection().createStatement()) {
            statement.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            try (ResultSet rows = statement.executeQuery(
                    "SELECT slot_name FROM pg_replication_slots WHERE slot_type = 'physical' ORDER BY 1")) {
                while (rows.next()) {
                    slots.add(rows.getString(1));
                }
            }
            return slots;
        } catch (SQLException e) {
            closeConnection();
            throw new PostgresException("cannot list replication slots: " + e.getMessage(), e);
        }
    }

    @Override
    public void createPhysicalReplicationSlot(String name) {
        execute("SELECT pg_create_physical_replication_slot(" + quote(name) + ")"
                + " WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = " + quote(name) + ")",
                "create replication slot " + name);
    }

    @Override
    public void dropReplicationSlot(String name) {
        execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = " + quote(name)
                + " AND NOT active", "drop replication slot " + name);
    }

    @Override
    public void removeDataDirectory() {
        closeConnection();
        Path dataDirectory = config.dataDirectory();
        if (!Files.exists(dataDirectory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dataDirectory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new PostgresException("cannot remove " + dataDirectory + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        closeConnection();
    }

    private void emptyDataDirectory() {
        try {
            removeDataDirectory();
            prepareDirectories();
        } catch (PostgresException e) {
            LOG.warn("could not clean {} after a failed clone: {}", config.dataDirectory(), e.getMessage());
        }
    }

    private void execute(String sql, String what) {
        try (Statement statement = connection().createStatement()) {
            statement.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            statement.execute(sql);
        } catch (SQLException e) {
            closeConnection();
            throw new PostgresException("cannot " + what + ": " + e.getMessage(), e);
        }
    }

    private Connection connection() throws SQLException {
        if (connection != null) {
            return connection;
        }
        HostPort target = config.listen().connectable();
        connection = connectTo(target.host(), target.port(), 10);
        return connection;
    }

    @Override
    public java.util.OptionalLong receivedPositionOn(String host, int port) {
        try (Connection remote = connectTo(host, port, 2); Statement statement = remote.createStatement();
                ResultSet row = statement.executeQuery("SELECT (GREATEST(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())"
                        + " - '0/0'::pg_lsn)::bigint")) {
            return row.next() ? java.util.OptionalLong.of(row.getLong(1)) : java.util.OptionalLong.empty();
        } catch (SQLException e) {
            return java.util.OptionalLong.empty();
        }
    }

    private Connection connectTo(String host, int port, int socketTimeoutSeconds) throws SQLException {
        String address = host.contains(":") ? "[" + host + "]" : host;
        Properties properties = new Properties();
        properties.setProperty("user", config.superuser().username());
        properties.setProperty("password", config.superuser().password());
        properties.setProperty("connectTimeout", "3");
        properties.setProperty("loginTimeout", "5");
        properties.setProperty("socketTimeout", Integer.toString(socketTimeoutSeconds));
        properties.setProperty("ApplicationName", "spilo");
        return DriverManager.getConnection("jdbc:postgresql://" + address + ":" + port + "/postgres", properties);
    }

    /**
     * A new primary's control file names its new timeline only after its first checkpoint; without
     * it pg_rewind would wrongly report "no rewind required".
     */
    private void checkpointOn(Upstream source) {
        try (Connection remote = connectTo(source.host(), source.port(), 120); Statement statement = remote.createStatement()) {
            statement.execute("CHECKPOINT");
        } catch (SQLException e) {
            throw new PostgresException("cannot run CHECKPOINT on " + source.host() + ":" + source.port()
                    + " before pg_rewind: " + e.getMessage(), e);
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the connection is being discarded anyway
            }
            connection = null;
        }
    }

    private ProcessResult pgCtl(List<String> arguments, Duration timeout) {
        List<String> command = new ArrayList<>();
        command.add(config.program("pg_ctl").toString());
        command.addAll(arguments);
        try {
            return runner.runAsPostgresUser(command, Map.of(), timeout);
        } catch (ProcessFailedException e) {
            throw new PostgresException(e.getMessage(), e);
        }
    }

    /**
     * The pid in {@code postmaster.pid}, if that process is alive and started when the file says
     * (so a recycled pid of an unrelated process is not mistaken for our postmaster).
     */
    Optional<Long> livePostmasterPid() {
        Path pidFile = config.dataDirectory().resolve("postmaster.pid");
        List<String> lines;
        try {
            lines = Files.readAllLines(pidFile);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (lines.size() < 3) {
            return Optional.empty();
        }
        long pid;
        long startEpochSeconds;
        try {
            pid = Long.parseLong(lines.get(0).strip());
            startEpochSeconds = Long.parseLong(lines.get(2).strip());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return Optional.empty();
        }
        Optional<java.time.Instant> started = handle.get().info().startInstant();
        if (started.isPresent() && Math.abs(started.get().getEpochSecond() - startEpochSeconds) > 5) {
            LOG.warn("pid {} in {} belongs to another process (started at {}, postmaster at {})", pid, pidFile,
                    started.get().getEpochSecond(), startEpochSeconds);
            return Optional.empty();
        }
        return Optional.of(pid);
    }

    /** The system identifier: the first eight bytes of {@code global/pg_control}, little-endian on this platform. */
    private Optional<String> readSystemIdentifier() {
        try {
            byte[] bytes = Files.readAllBytes(config.dataDirectory().resolve("global/pg_control"));
            if (bytes.length < 8) {
                return Optional.empty();
            }
            long identifier = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.nativeOrder()).getLong();
            return Optional.of(Long.toUnsignedString(identifier));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private void prepareDirectories() {
        try {
            for (Path directory : List.of(config.dataDirectory(), config.socketDirectory())) {
                if (!Files.exists(directory)) {
                    Files.createDirectories(directory);
                }
                Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
                giveToPostgresUser(directory);
            }
            Path log = config.serverLogFile();
            if (!Files.exists(log)) {
                Files.createFile(log);
            }
            giveToPostgresUser(log);
        } catch (IOException e) {
            throw new PostgresException("cannot prepare " + config.dataDirectory() + ": " + e.getMessage()
                    + " (does its parent exist, and may this user write to it?)", e);
        }
    }

    private void writeOwnedFile(Path path, String content) throws IOException {
        Path temporary = path.resolveSibling(path.getFileName() + ".tmp");
        Files.writeString(temporary, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
        giveToPostgresUser(temporary);
        Files.move(temporary, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private void giveToPostgresUser(Path path) throws IOException {
        if (!runner.switchesUser()) {
            return;
        }
        UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal user = lookup.lookupPrincipalByName(runner.osUser());
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        view.setOwner(user);
        try {
            GroupPrincipal group = lookup.lookupPrincipalByGroupName(runner.osUser());
            view.setGroup(group);
        } catch (IOException e) {
            // the user has no group of the same name; ownership by the user is what PostgreSQL checks
        }
    }
}
