package io.spilo.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client that writes unique ids through one port until stopped, reconnecting after errors, and
 * records which inserts were acknowledged and when: what the tests compare the database with.
 */
final class Writer implements AutoCloseable {
    private final int port;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong nextId = new AtomicLong(1);
    private final ConcurrentLinkedQueue<long[]> acknowledged = new ConcurrentLinkedQueue<>();
    private final Thread thread;

    Writer(int port) {
        this(port, 1);
    }

    /** A writer whose ids start at {@code firstId}: writers on different servers never write the same id. */
    Writer(int port, long firstId) {
        this.port = port;
        this.nextId.set(firstId);
        this.thread = new Thread(this::run, "writer-" + port);
        thread.start();
    }

    private void run() {
        Connection connection = null;
        while (running.get()) {
            try {
                if (connection == null) {
                    Properties properties = new Properties();
                    properties.setProperty("user", "postgres");
                    properties.setProperty("password", AgentNode.SUPERUSER_PASSWORD);
                    properties.setProperty("connectTimeout", "1");
                    properties.setProperty("socketTimeout", "3");
                    connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", properties);
                    try (Statement statement = connection.createStatement()) {
                        statement.execute("CREATE TABLE IF NOT EXISTS writer_ids (id bigint primary key, at timestamptz default now())");
                    }
                }
                long id = nextId.getAndIncrement();
                try (Statement statement = connection.createStatement()) {
                    statement.execute("INSERT INTO writer_ids (id) VALUES (" + id + ")");
                }
                acknowledged.add(new long[] {id, System.nanoTime()});
                Thread.sleep(10);
            } catch (SQLException e) {
                closeQuietly(connection);
                connection = null;
                sleep(20);
            } catch (InterruptedException e) {
                break;
            }
        }
        closeQuietly(connection);
    }

    List<Long> acknowledgedIds() {
        List<Long> ids = new ArrayList<>();
        acknowledged.forEach(entry -> ids.add(entry[0]));
        return ids;
    }

    /** When the last acknowledged write was acknowledged (System.nanoTime), if any. */
    java.util.OptionalLong lastAcknowledgedAt() {
        return acknowledged.stream().mapToLong(entry -> entry[1]).max();
    }

    /** When the first write acknowledged after {@code sinceNanos} was acknowledged, if any. */
    java.util.OptionalLong firstAcknowledgedAfter(long sinceNanos) {
        return acknowledged.stream().mapToLong(entry -> entry[1]).filter(at -> at >= sinceNanos).min();
    }

    int acknowledgedCount() {
        return acknowledged.size();
    }

    /** The longest time between two consecutive acknowledged writes after {@code sinceNanos}, in milliseconds. */
    double longestGapMillisSince(long sinceNanos) {
        long previous = -1;
        long longest = 0;
        for (long[] entry : acknowledged) {
            if (entry[1] < sinceNanos) {
                previous = entry[1];
                continue;
            }
            if (previous >= 0) {
                longest = Math.max(longest, entry[1] - previous);
            }
            previous = entry[1];
        }
        return longest / 1e6;
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(10_000);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // discarded anyway
            }
        }
    }
}
