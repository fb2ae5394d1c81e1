package io.spilo.backup;

import io.spilo.config.PostgresConfig;
import io.spilo.postgres.LocalSql;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * Reads the archiver's progress from the local primary over a connection of its own (never the
 * HA loop's, so a slow answer here cannot delay a cycle). Used only by the backup thread.
 */
final class ArchiverProbe implements AutoCloseable {
    private static final String QUERY = """
            SELECT archived_count, failed_count, last_archived_wal, extract(epoch FROM last_archived_time)::float8,
                   last_failed_wal, extract(epoch FROM last_failed_time)::float8,
                   (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint,
                   (SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size'),
                   (SELECT count(*) FROM pg_ls_dir('pg_wal/archive_status') AS f WHERE f LIKE '%.ready'),
                   COALESCE(extract(epoch FROM now() - (SELECT min((pg_stat_file('pg_wal/archive_status/' || f, true)).modification)
                              FROM pg_ls_dir('pg_wal/archive_status') AS f WHERE f LIKE '%.ready'))::float8, 0)
            FROM pg_stat_archiver
            """;

    private final PostgresConfig config;
    // Owned by the backup thread.
    private Connection connection;

    ArchiverProbe(PostgresConfig config) {
        this.config = config;
    }

    /** The archiver's status; empty when PostgreSQL does not answer or is not a primary. */
    Optional<ArchiverStatus> read() {
        try {
            if (connection == null) {
                connection = LocalSql.connectAsSuperuser(config, config.listen().connectable().host(),
                        config.listen().connectable().port(), 10);
            }
            try (Statement statement = connection.createStatement()) {
                statement.setQueryTimeout(5);
                try (ResultSet row = statement.executeQuery("SELECT pg_is_in_recovery()")) {
                    row.next();
                    if (row.getBoolean(1)) {
                        return Optional.empty();
                    }
                }
                try (ResultSet row = statement.executeQuery(QUERY)) {
                    row.next();
                    Optional<String> lastArchived = Optional.ofNullable(row.getString(3));
                    long position = row.getLong(7);
                    long segmentSize = row.getLong(8);
                    long lag = position - lastArchived.filter(name -> name.matches("[0-9A-F]{24}"))
                            .map(name -> ArchiverStatus.segmentEnd(name, segmentSize)).orElse(0L);
                    return Optional.of(new ArchiverStatus(row.getLong(1), row.getLong(2), lastArchived, number(row, 4),
                            Optional.ofNullable(row.getString(5)), number(row, 6), Math.max(0, lag), row.getDouble(10),
                            row.getLong(9)));
                }
            }
        } catch (SQLException e) {
            close();
            return Optional.empty();
        }
    }

    private static Optional<Double> number(ResultSet row, int column) throws SQLException {
        double value = row.getDouble(column);
        return row.wasNull() ? Optional.empty() : Optional.of(value);
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // the connection is being discarded anyway
            }
            connection = null;
        }
    }
}
