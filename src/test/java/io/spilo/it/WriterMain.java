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
 * MILLIS" when the commit's fate is unknown), flushing each line. Every tenth write it also reads
 * through a fresh connection: a primary that does not show the last acknowledged id is logged as
 * "stale ID MILLIS MAX SERVER" (a deposed primary or a replica behind the primary port).
 */
public final class WriterMain {
    private WriterMain() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String password = args[3];
        try (PrintWriter log = new PrintWriter(new FileWriter(args[2], true), true)) {
            Connection connection = null;
            long id = Long.parseLong(args.length > 4 ? args[4] : "1");
            while (true) {
                try {
                    if (connection == null) {
                        Properties properties = new Properties();
                        properties.setProperty("user", "postgres");
                        properties.setProperty("password", password);
                        properties.setProperty("connectTimeout", "1");
                        properties.setProperty("socketTimeout", "3");
                        connection = DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/postgres", properties);
                        try (Statement statement = connection.createStatement()) {
                            statement.execute("CREATE TABLE IF NOT EXISTS fault_writes (id bigint primary key, server text)");
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
                                + ", current_setting('cluster_name')) RETURNING server")) {
                    row.next();
                    log.println("ok " + current + " " + System.currentTimeMillis() + " " + row.getString(1));
                    if (current % 10 == 0) {
                        checkRead(host, port, password, current, log);
                    }
                } catch (SQLException e) {
                    // A failure before the statement reached the server is a clean "err"; anything else may have committed.
                    boolean unsent = e.getSQLState() != null && e.getSQLState().startsWith("08") && e.getMessage().contains("refused");
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
                ResultSet row = statement.executeQuery("SELECT coalesce(max(id), 0), current_setting('cluster_name') FROM fault_writes")) {
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
