package io.spilo.postgres;

import io.spilo.config.PostgresConfig;
import io.spilo.process.ProcessFailedException;
import io.spilo.process.ProcessResult;
import io.spilo.process.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The two tools that write a data directory from another: initdb for a new cluster, pg_rewind to rejoin. */
final class ClusterCreation {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterCreation.class);
    private static final Duration INITDB_TIMEOUT = Duration.ofMinutes(5);

    private final PostgresConfig config;
    private final ProcessRunner runner;
    private final DataDirectory directory;
    private final ConfigFiles files;
    private final ControlData controlData;
    private final LocalSql sql;

    ClusterCreation(PostgresConfig config, ProcessRunner runner, DataDirectory directory, ConfigFiles files,
            ControlData controlData, LocalSql sql) {
        this.config = config;
        this.runner = runner;
        this.directory = directory;
        this.files = files;
        this.controlData = controlData;
        this.sql = sql;
    }

    /**
     * initdb with the superuser's password from a file that lives only while initdb runs. Data
     * checksums are always on: pg_rewind needs them (or wal_log_hints) to rejoin a former primary.
     */
    void initdb(List<String> initdbOptions) {
        directory.prepare();
        Path passwordFile = config.dataDirectory().resolveSibling(config.dataDirectory().getFileName() + ".initdb-pw");
        try {
            directory.writeOwnedFile(passwordFile, config.superuser().password() + "\n");
            List<String> command = new ArrayList<>(List.of(config.program("initdb").toString(),
                    "-D", config.dataDirectory().toString(), "-U", config.superuser().username(),
                    "--pwfile=" + passwordFile, "--auth-local=peer", "--auth-host=scram-sha-256", "--data-checksums"));
            for (String option : initdbOptions) {
                if (!option.equals("data-checksums") && !option.equals("k")) {
                    command.add(option.length() == 1 ? "-" + option : "--" + option);
                }
            }
            ProcessResult result = runner.runAsPostgresUser(command, Map.of(), INITDB_TIMEOUT);
            if (!result.succeeded()) {
                throw new PostgresException("initdb failed (exit " + result.exitCode() + "): " + result.tail());
            }
            Files.move(config.dataDirectory().resolve("postgresql.conf"), config.dataDirectory().resolve("postgresql.base.conf"));
        } catch (ProcessFailedException e) {
            throw new PostgresException("initdb failed: " + e.getMessage(), e);
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

    /** pg_rewind of the stopped data directory to {@code source} (a no-op when nothing diverged). */
    void rewind(Upstream source, Duration timeout) {
        String clusterState = Optional.ofNullable(controlData.read().get("Database cluster state")).orElse("");
        boolean ranAsPrimary = clusterState.equals("shut down") || clusterState.equals("in production");
        if (!clusterState.equals("shut down") && !clusterState.equals("shut down in recovery")) {
            recoverKeepingWal(timeout);
        }
        files.writePasswordFile();
        // A new primary's control file names its new timeline only after its first checkpoint;
        // without it pg_rewind would wrongly report "no rewind required".
        String where = source.host() + ":" + source.port();
        int sourceTimeline = sql.checkpoint(source.host(), source.port(), where + " before pg_rewind");
        int localTimeline = ControlData.parseInt(controlData.read().get("Latest checkpoint's TimeLineID"));
        if (ranAsPrimary && localTimeline > 0 && localTimeline == sourceTimeline) {
            // A timeline has one origin. This server ran as a primary on it, yet another server runs
            // as one on it too: two promotions picked the same number (a candidate killed just after
            // its promotion, before anyone streamed its history). pg_rewind compares timeline numbers
            // and would answer "no rewind required"; the WAL differs all the same.
            throw new PostgresException("this server ran as a primary on timeline " + localTimeline + ", and " + where
                    + " runs as a primary on a timeline of that number too: the two histories diverged where pg_rewind cannot"
                    + " see it, so the data directory must be cloned again");
        }
        String sourceServer = ("host=" + source.host() + " port=" + source.port() + " user=" + config.superuser().username()
                + " dbname=postgres passfile=" + config.passfile() + " connect_timeout=5 " + config.superuserSsl().conninfo()).strip();
        List<String> command = List.of(config.program("pg_rewind").toString(), "-D", config.dataDirectory().toString(),
                "--source-server=" + sourceServer);
        ProcessResult result;
        try {
            result = runner.runAsPostgresUser(command, Map.of("PGPASSFILE", config.passfile().toString()), timeout);
        } catch (ProcessFailedException e) {
            throw new PostgresException("pg_rewind from " + where + " failed: " + e.getMessage(), e);
        }
        if (!result.succeeded()) {
            throw new PostgresException("pg_rewind from " + where + " failed (exit " + result.exitCode() + "): " + result.tail());
        }
        LOG.info("pg_rewind from {}: {}", where, result.tail());
    }

    /**
     * Crash recovery before pg_rewind, done here rather than by pg_rewind itself. The checkpoint at the
     * end of crash recovery removes WAL segments older than its redo point (beyond wal_keep_size and
     * the slots saved at the last checkpoint), yet pg_rewind then reads the target's WAL backwards
     * from the divergence point to the last common checkpoint: after a large write since that
     * checkpoint it fails with "could not find previous WAL record". With {@code archive_mode=on} and
     * an archive command that always fails, PostgreSQL keeps every segment that is not archived, so
     * nothing is removed. The archive status goes first so that no segment counts as archived.
     */
    private void recoverKeepingWal(Duration timeout) {
        Path data = config.dataDirectory();
        try {
            // Single-user mode refuses standby mode; the signal file is written again before the
            // server starts as a replica.
            Files.deleteIfExists(data.resolve("standby.signal"));
            Files.deleteIfExists(data.resolve("recovery.signal"));
            Path archiveStatus = data.resolve("pg_wal/archive_status");
            if (Files.isDirectory(archiveStatus)) {
                try (var status = Files.list(archiveStatus)) {
                    for (Path file : status.toList()) {
                        Files.deleteIfExists(file);
                    }
                }
            }
        } catch (IOException e) {
            throw new PostgresException("cannot prepare " + data + " for pg_rewind: " + e.getMessage(), e);
        }
        List<String> command = List.of(config.program("postgres").toString(), "--single", "-D", data.toString(),
                "-c", "archive_mode=on", "-c", "archive_command=false", "template1");
        ProcessResult result;
        try {
            result = runner.runAsPostgresUser(command, Map.of(), timeout);
        } catch (ProcessFailedException e) {
            throw new PostgresException("crash recovery of " + data + " before pg_rewind failed: " + e.getMessage(), e);
        }
        if (!result.succeeded()) {
            // Nothing was rewound yet: retried next cycle (processes of a killed server may still be
            // exiting, holding its shared memory, as after a frozen disk thaws).
            throw PostgresException.retryable("crash recovery of " + data + " before pg_rewind failed (exit "
                    + result.exitCode() + "): " + result.tail());
        }
        LOG.info("crash recovery before pg_rewind done, WAL kept for pg_rewind");
    }
}
