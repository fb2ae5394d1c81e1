package io.spilo.postgres;

import io.spilo.config.HostPort;
import io.spilo.config.PostgresConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;

/**
 * SQL on the local server over one kept connection (and short-lived ones to other members), every
 * statement with a timeout. The kept connection is shared by the loop thread and the long-action
 * thread, so it is used under this object's lock; a slow statement (CHECKPOINT) gets its own.
 */
public final class LocalSql {
    private static final int QUERY_TIMEOUT_SECONDS = 5;
    private static final long PROMOTION_POLL_MILLIS = 10;
    /** SQLSTATE object_not_in_prerequisite_state: pg_promote on a server that is not in recovery. */
    private static final String NOT_IN_RECOVERY = "55000";
    private static final DateTimeFormatter PATRONI_TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx");
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
    // Guarded by this.
    private Connection connection;
    private final Object probeLock = new Object();
    // Guarded by probeLock.
    private Connection probeConnection;
    // Guarded by this.
    private java.util.Set<String> parameterNames = java.util.Set.of();

    LocalSql(PostgresConfig config) {
        this.config = config;
    }

    synchronized LocalState queryState(long pid) throws SQLException {
        try (Statement statement = connection().createStatement()) {
            statement.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            LocalState state;
            try (ResultSet row = statement.executeQuery(STATE_QUERY)) {
                row.next();
                boolean inRecovery = row.getBoolean(1);
                String primaryConninfo = row.getString(9);
                OffsetDateTime replayedAt = row.getObject(10, OffsetDateTime.class);
                state = new LocalState(true, RunState.RUNNING, Optional.of(pid), Optional.of(row.getString(4)), inRecovery,
                        row.getInt(7), row.getLong(2), row.getLong(3),
                        Optional.ofNullable(replayedAt).map(time -> time.format(PATRONI_TIMESTAMP)),
                        inRecovery ? ConfigFiles.conninfoHostPort(primaryConninfo) : Optional.empty(),
                        "streaming".equals(row.getString(8)), row.getInt(5),
                        Optional.of(row.getObject(6, OffsetDateTime.class).format(PATRONI_TIMESTAMP)), List.of(),
                        Optional.empty(), 0, row.getBoolean(11));
            }
            if (state.inRecovery()) {
                return state;
            }
            List<ReplicationConnection> replication = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery("SELECT application_name, host(client_addr), state,"
                    + " sync_priority, sync_state, usename, COALESCE((flush_lsn - '0/0'::pg_lsn)::bigint, 0)"
                    + " FROM pg_stat_replication ORDER BY application_name")) {
                while (rows.next()) {
                    replication.add(new ReplicationConnection(rows.getString(1), rows.getString(2), rows.getString(3),
                            rows.getInt(4), rows.getString(5), rows.getString(6), rows.getLong(7)));
                }
            }
            return new LocalState(true, RunState.RUNNING, state.postmasterPid(), state.systemIdentifier(), false,
                    state.timeline(), state.walPosition(), state.replayedPosition(), state.replayedTimestamp(),
                    state.upstream(), state.streaming(), state.serverVersion(), state.postmasterStartTime(), replication,
                    Optional.empty(), 0, state.pendingRestart());
        } catch (SQLException e) {
            close();
            throw e;
        }
    }

    synchronized void execute(String sql, String what) {
        try (Statement statement = connection().createStatement()) {
            statement.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            statement.execute(sql);
        } catch (SQLException e) {
            close();
            throw new PostgresException("cannot " + what + ": " + e.getMessage(), e);
        }
    }

    /** pg_settings names; read once per connection (a restarted server gets a new one). */
    synchronized java.util.Set<String> parameterNames() {
        if (!parameterNames.isEmpty() && connection != null) {
            return parameterNames;
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        try (Statement statement = connection().createStatement()) {
            statement.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            try (ResultSet rows = statement.executeQuery("SELECT lower(name) FROM pg_settings")) {
                while (rows.next()) {
                    names.add(rows.getString(1));
                }
            }
        } catch (SQLException e) {
            close();
            return java.util.Set.of();
        }
        parameterNames = java.util.Set.copyOf(names);
        return parameterNames;
    }

    synchronized List<String> physicalReplicationSlots() {
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
            close();
            throw new PostgresException("cannot list replication slots: " + e.getMessage(), e);
        }
    }

    /**
     * Asks the local standby to end recovery ({@code pg_promote} without waiting). False when no
     * connection could be made (the caller then uses pg_ctl); true also when it is no standby any more.
     */
    synchronized boolean requestPromotion() {
        Connection kept;
        try {
            kept = connection();
        } catch (SQLException e) {
            close();
            return false;
        }
        try (Statement statement = kept.createStatement()) {
            statement.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            statement.execute("SELECT pg_promote(false)");
            return true;
        } catch (SQLException e) {
            if (NOT_IN_RECOVERY.equals(e.getSQLState())) {
                return true; // "recovery is not in progress": promoted already
            }
            close();
            throw PostgresException.unreachable("pg_promote failed: " + e.getMessage(), e);
        }
    }

    /** Where recovery of the local server stands: {@code done}, {@code paused} (at its target) or {@code replaying}. */
    synchronized String recoveryProgress() {
        try (Statement statement = connection().createStatement()) {
            statement.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            try (ResultSet row = statement.executeQuery("SELECT CASE WHEN NOT pg_is_in_recovery() THEN 'done'"
                    + " WHEN pg_get_wal_replay_pause_state() = 'paused' THEN 'paused' ELSE 'replaying' END")) {
                row.next();
                return row.getString(1);
            }
        } catch (SQLException e) {
            close();
            throw PostgresException.unreachable("cannot see how recovery goes: " + e.getMessage(), e);
        }
    }

    /**
     * Waits until the local server has left recovery, looking every 10 ms: pg_ctl promote -w and
     * pg_promote(true) look only every 100 ms, a tenth of a second of write outage in every failover.
     * The lock is taken for each look only, so the loop's state queries go on meanwhile.
     */
    void awaitEndOfRecovery(java.time.Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            synchronized (this) {
                try (Statement statement = connection().createStatement()) {
                    statement.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
                    try (ResultSet row = statement.executeQuery("SELECT pg_is_in_recovery()")) {
                        if (row.next() && !row.getBoolean(1)) {
                            return;
                        }
                    }
                } catch (SQLException e) {
                    close();
                    throw PostgresException.unreachable("cannot see whether the promotion finished: " + e.getMessage(), e);
                }
            }
            if (System.nanoTime() > deadline) {
                throw new PostgresException("PostgreSQL was still in recovery " + timeout.toSeconds()
                        + " s after it was asked to promote; see its log");
            }
            try {
                Thread.sleep(PROMOTION_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PostgresException("interrupted while waiting for the promotion", e);
            }
        }
    }

    /** {@code pg_reload_conf()} over the kept connection; false when there is none to be had (use pg_ctl reload). */
    synchronized boolean reloadConfiguration() {
        try (Statement statement = connection().createStatement()) {
            statement.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            statement.execute("SELECT pg_reload_conf()");
            return true;
        } catch (SQLException e) {
            close();
            return false;
        }
    }

    /**
     * CHECKPOINT on {@code host:port} over a connection of its own (it may take long; the kept one
     * stays free); returns the timeline that checkpoint is on: the server's current one.
     */
    int checkpoint(String host, int port, String where) {
        try (Connection own = connectTo(host, port, 120); Statement statement = own.createStatement()) {
            statement.execute("CHECKPOINT");
            try (ResultSet row = statement.executeQuery("SELECT timeline_id FROM pg_control_checkpoint()")) {
                return row.next() ? row.getInt(1) : 0;
            }
        } catch (SQLException e) {
            throw PostgresException.unreachable("cannot run CHECKPOINT on " + where + ": " + e.getMessage(), e);
        }
    }

    /**
     * The write probe's commit over a connection of its own (a stalled commit must not hold the
     * lock the loop's state queries need): a WAL message in a transaction, committed with
     * {@code synchronous_commit = local}, so it waits for the local disk and never for standbys.
     * The socket timeout only bounds a hung thread; the loop measures the stall itself.
     */
    void commitHeartbeat() {
        synchronized (probeLock) {
            try {
                if (probeConnection == null) {
                    HostPort target = config.listen().connectable();
                    probeConnection = connectTo(target.host(), target.port(), 600);
                    probeConnection.setAutoCommit(false);
                }
                try (Statement statement = probeConnection.createStatement()) {
                    statement.execute("SET LOCAL synchronous_commit = local");
                    statement.execute("SELECT pg_logical_emit_message(true, 'spilo-write-probe', now()::text)");
                }
                probeConnection.commit();
            } catch (SQLException e) {
                closeProbeConnection();
                throw PostgresException.unreachable("the write probe's commit failed: " + e.getMessage(), e);
            }
        }
    }

    private void closeProbeConnection() {
        if (probeConnection != null) {
            try {
                probeConnection.close();
            } catch (SQLException ignored) {
                // discarded anyway
            }
            probeConnection = null;
        }
    }

    void checkpointLocally() {
        HostPort target = config.listen().connectable();
        checkpoint(target.host(), target.port(), "the local server");
    }

    OptionalLong receivedPositionOn(String host, int port) {
        try (Connection remote = connectTo(host, port, 2); Statement statement = remote.createStatement();
                ResultSet row = statement.executeQuery("SELECT (GREATEST(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())"
                        + " - '0/0'::pg_lsn)::bigint")) {
            return row.next() ? OptionalLong.of(row.getLong(1)) : OptionalLong.empty();
        } catch (SQLException e) {
            return OptionalLong.empty();
        }
    }

    synchronized void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the connection is being discarded anyway
            }
            connection = null;
        }
        parameterNames = java.util.Set.of();
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            HostPort target = config.listen().connectable();
            connection = connectTo(target.host(), target.port(), 10);
        }
        return connection;
    }

    private Connection connectTo(String host, int port, int socketTimeoutSeconds) throws SQLException {
        return connectAsSuperuser(config, host, port, socketTimeoutSeconds);
    }

    /**
     * A connection as {@code authentication.superuser} (password, its sslmode and CA) to
     * {@code host:port}; also used by the parts that keep a connection of their own.
     */
    public static Connection connectAsSuperuser(PostgresConfig config, String host, int port, int socketTimeoutSeconds)
            throws SQLException {
        String address = host.contains(":") ? "[" + host + "]" : host;
        Properties properties = new Properties();
        properties.setProperty("user", config.superuser().username());
        properties.setProperty("password", config.superuser().password());
        properties.setProperty("connectTimeout", "3");
        properties.setProperty("loginTimeout", "5");
        properties.setProperty("socketTimeout", Integer.toString(socketTimeoutSeconds));
        properties.setProperty("ApplicationName", "spilo");
        // authentication.superuser's sslmode and CA reach pgjdbc too (its own defaults: prefer, no check).
        // Client certificates do not: pgjdbc reads keys in PKCS-8 DER only, and Spilo's pg_hba asks for passwords.
        properties.setProperty("sslmode", config.superuserSsl().sslmode());
        config.superuserSsl().rootCertificate().ifPresent(file -> properties.setProperty("sslrootcert", file.toString()));
        return DriverManager.getConnection("jdbc:postgresql://" + address + ":" + port + "/postgres", properties);
    }
}
