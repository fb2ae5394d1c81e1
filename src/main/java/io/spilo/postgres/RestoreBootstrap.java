package io.spilo.postgres;

import io.spilo.config.PostgresConfig;
import io.spilo.process.ProcessFailedException;
import io.spilo.process.ProcessResult;
import io.spilo.process.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A new cluster's first member made from a backup (Patroni's custom bootstrap): the restore
 * command fills the empty data directory, PostgreSQL replays WAL to the recovery target and
 * promotes, and the recovery settings are removed so that they never steer a later start.
 */
final class RestoreBootstrap {
    private static final Logger LOG = LoggerFactory.getLogger(RestoreBootstrap.class);
    private static final Duration RESTORE_TIMEOUT = Duration.ofHours(12);
    private static final long POLL_MILLIS = 200;
    /** What a restore may leave in postgresql.auto.conf (pgBackRest writes its settings there). */
    private static final List<String> RECOVERY_SETTINGS = List.of("restore_command", "recovery_target", "recovery_target_lsn",
            "recovery_target_name", "recovery_target_time", "recovery_target_xid", "recovery_target_inclusive",
            "recovery_target_timeline", "recovery_target_action");

    private final PostgresConfig config;
    private final ProcessRunner runner;
    private final DataDirectory directory;
    private final LocalSql sql;

    RestoreBootstrap(PostgresConfig config, ProcessRunner runner, DataDirectory directory, LocalSql sql) {
        this.config = config;
        this.runner = runner;
        this.directory = directory;
        this.sql = sql;
    }

    /** Runs the restore; returns the recovery parameters for the first start (none when the command wrote its own). */
    Map<String, String> restore(BackupRestore restore) {
        directory.prepare();
        ProcessResult result;
        try {
            result = runner.runAsPostgresUser(restore.command(), Map.of(), RESTORE_TIMEOUT);
        } catch (ProcessFailedException e) {
            throw new PostgresException("bootstrap method " + restore.method() + " failed: " + e.getMessage(), e);
        }
        if (!result.succeeded()) {
            throw new PostgresException("bootstrap method " + restore.method() + " failed (exit " + result.exitCode() + "): "
                    + result.tail());
        }
        Path data = config.dataDirectory();
        if (!Files.exists(data.resolve("PG_VERSION"))) {
            throw new PostgresException("bootstrap method " + restore.method() + " left no cluster in " + data
                    + " (no PG_VERSION); does its command restore into postgresql.data_dir?");
        }
        LOG.info("bootstrap method {} restored {}: {}", restore.method(), data, result.tail());
        try {
            Files.deleteIfExists(data.resolve("standby.signal"));
            if (restore.keepExistingRecoveryConf()) {
                return Map.of();
            }
            Files.deleteIfExists(data.resolve("recovery.signal"));
            directory.writeOwnedFile(data.resolve("recovery.signal"), "");
        } catch (IOException e) {
            throw new PostgresException("cannot prepare the restored " + data + " for recovery: " + e.getMessage(), e);
        }
        return restore.recoveryConf();
    }

    /**
     * Waits for the end of recovery, promoting a server that paused at its target
     * (recovery_target_action pause, PostgreSQL's default), then removes what the restore set.
     */
    void finishRecovery(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String progress = sql.recoveryProgress();
            if (progress.equals("done")) {
                break;
            }
            if (progress.equals("paused")) {
                LOG.info("recovery paused at its target: promoting");
                sql.requestPromotion();
            }
            if (System.nanoTime() > deadline) {
                throw new PostgresException("the restored cluster was still in recovery after " + timeout.toSeconds()
                        + " s; see PostgreSQL's log " + config.serverLogFile());
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PostgresException("interrupted while the restored cluster recovered", e);
            }
        }
        for (String setting : RECOVERY_SETTINGS) {
            sql.execute("ALTER SYSTEM RESET " + setting, "remove " + setting + " left by the restore");
        }
        sql.reloadConfiguration();
        LOG.info("the restored cluster left recovery; its recovery settings are removed");
    }
}
