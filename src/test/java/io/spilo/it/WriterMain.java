package io.spilo.it;

import java.io.FileWriter;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The fault suite's client, run inside the client's namespace: inserts unique ids through one
 * address until killed and logs every attempt ("ok ID MILLIS SERVER", "err ID MILLIS", "unknown ID
 * MILLIS" when the commit's fate is unknown), flushing each line. SERVER is the member and its
 * timeline ({@code node2/3}): a member elected again runs a new timeline, so its new term is not
 * mistaken for a deposed primary still writing.
 *
 * <p>Modes, as production clients behave: {@code pooled} keeps one connection and reconnects only
 * on error (a connection pool); {@code reconnecting} opens a connection per write; {@code direct}
 * writes to one member's own port, bypassing HAProxy. Through HAProxy, every tenth write is
 * followed by a read through a fresh connection: a primary that does not show the last
 * acknowledged id is logged as "stale ID MILLIS MAX SERVER".
 */
public final class WriterMain {
    /**
     * The member that answered, in SQL: Spilo sets cluster_name to the member; Patroni forces it to the
     * scope, so its benchmark members name themselves in the custom setting spilo.member.
     */
    private static final String MEMBER = "coalesce(current_setting('spilo.member', true), current_setting('cluster_name'))";

    private WriterMain() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String password = args[3];
        long id = Long.parseLong(args.length > 4 ? args[4] : "1");
        String mode = args.length > 5 ? args[5] : "pooled";
        try (PrintWriter log = new PrintWriter(new FileWriter(args[2], true), true)) {
            Connection connection = null;
            while (true) {
                try {
                    if (connection == null) {
                        Properties properties = new Properties();
                        properties.setProperty("user", "postgres");
                        properties.setProperty("password", password);
                        properties.setProperty("connectTimeout", "1");
                        properties.setProperty("socketTimeout", "3");
                        connection = DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/postgres", properties);
                        if (!mode.equals("direct")) {
                            // Direct writers start after the table exists; a standby would refuse the DDL.
                            try (Statement statement = connection.createStatement()) {
                                statement.execute("CREATE TABLE IF NOT EXISTS fault_writes (id bigint primary key, server text)");
                            }
                        }
                    }
                } catch (SQLException e) {
                    closeQuietly(connection);
                    connection = null;
                    Thread.sleep(50);
                    continue;
                }
                long current = id++;
                try (Statement statement = connection.createStatement();
                        ResultSet row = statement.executeQuery("INSERT INTO fault_writes VALUES (" + current
                                + ", " + MEMBER + " || '/' || ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int)"
                                + " RETURNING server")) {
                    row.next();
                    log.println("ok " + current + " " + System.currentTimeMillis() + " " + row.getString(1));
                    if (current % 10 == 0 && !mode.equals("direct")) {
                        checkRead(host, port, password, current, log);
                    }
                    if (mode.equals("reconnecting")) {
                        closeQuietly(connection);
                        connection = null;
                    }
                } catch (SQLException e) {
                    // A failure before the statement reached the server, or a standby refusing it, is a clean "err";
                    // anything else may have committed.
                    String state = e.getSQLState() == null ? "" : e.getSQLState();
                    boolean unsent = (state.startsWith("08") && e.getMessage().contains("refused"))
                            || state.equals("25006") || state.equals("57P03");
                    log.println((unsent ? "err " : "unknown ") + current + " " + System.currentTimeMillis());
                    closeQuietly(connection);
                    connection = null;
                }
                Thread.sleep(20);
            }
        }
    }

    /** A read through a new connection must see the id just acknowledged. */
    private static void checkRead(String host, int port, String password, long acknowledged, PrintWriter log) {
        Properties properties = new Properties();
        properties.setProperty("user", "postgres");
        properties.setProperty("password", password);
        properties.setProperty("connectTimeout", "1");
        properties.setProperty("socketTimeout", "3");
        try (Connection reader = DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/postgres", properties);
                Statement statement = reader.createStatement();
                ResultSet row = statement.executeQuery("SELECT coalesce(max(id), 0), " + MEMBER + " FROM fault_writes")) {
            row.next();
            if (row.getLong(1) < acknowledged) {
                log.println("stale " + acknowledged + " " + System.currentTimeMillis() + " " + row.getLong(1) + " " + row.getString(2));
            }
        } catch (SQLException e) {
            // no primary reachable right now: not a stale read
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // discarded
            }
        }
    }
}
