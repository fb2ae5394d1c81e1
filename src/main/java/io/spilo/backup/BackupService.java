package io.spilo.backup;

import io.spilo.config.BackupConfig;
import io.spilo.config.PostgresConfig;
import io.spilo.process.ProcessRunner;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backups for one member, beside the HA loop and never in its way: while this member leads, a
 * thread of its own makes sure the stanza exists (pgBackRest's stanza-create, safe to repeat)
 * and reads the archiver's progress; base backups run one at a time on a second thread. Nothing
 * here can stop or slow PostgreSQL: a repository that cannot be written shows as a failing
 * archiver and failed backups, while the primary keeps its WAL and keeps taking writes.
 */
public final class BackupService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BackupService.class);
    private static final long WATCH_SECONDS = 5;
    private static final Duration CATALOG_REFRESH = Duration.ofMinutes(5);

    /** What became of a request for a backup. */
    public sealed interface Request permits Started, AlreadyRunning {
    }

    public record Started(BackupRun run) implements Request {
    }

    public record AlreadyRunning(BackupRun run) implements Request {
    }

    public enum State {
        RUNNING, SUCCEEDED, FAILED
    }

    /** One base backup this member ran or runs. */
    public record BackupRun(BackupType type, State state, Instant startedAt, Optional<Instant> finishedAt, String message) {
        BackupRun finished(State outcome, Instant at, String text) {
            return new BackupRun(type, outcome, startedAt, Optional.of(at), text);
        }
    }

    private final BackupConfig config;
    private final PgBackRestFiles files;
    private final PgBackRest pgBackRest;
    private final ArchiverProbe probe;
    private final BooleanSupplier leading;
    private final java.util.function.Supplier<BackupSchedule> schedule;
    private final Clock clock;
    private final ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor(daemon("backup-watch"));
    private final ExecutorService runs = Executors.newSingleThreadExecutor(daemon("backup-run"));

    // Guarded by this.
    private Optional<BackupRun> lastRun = Optional.empty();
    private final Object stanzaLock = new Object();
    // Written under stanzaLock; read without it by the watch thread.
    private volatile boolean stanzaReady;
    private volatile Optional<ArchiverStatus> archiver = Optional.empty();
    private volatile Optional<BackupCatalog> catalog = Optional.empty();
    private volatile Instant catalogReadAt = Instant.EPOCH;
    // Guarded by this.
    private String lastWarning = "";

    /**
     * @param leading whether this member is the confirmed primary right now (the HA loop's view)
     * @param schedule {@code backup_schedule} of the configuration in force (it throws when that is unusable)
     */
    public BackupService(BackupConfig config, PostgresConfig postgres, String memberName, ProcessRunner runner,
            BooleanSupplier leading, java.util.function.Supplier<BackupSchedule> schedule, Clock clock) {
        this.schedule = schedule;
        this.config = config;
        this.files = new PgBackRestFiles(config, postgres, memberName);
        this.pgBackRest = new PgBackRest(files, runner, config.program());
        this.probe = new ArchiverProbe(postgres);
        this.leading = leading;
        this.clock = clock;
    }

    /** Writes this member's pgBackRest files: before PostgreSQL starts, since its archive_command reads them. */
    public void prepare(ProcessRunner runner) {
        files.write(runner);
    }

    /** archive_mode, archive_command, restore_command, archive_timeout (the dynamic configuration may override them). */
    public Map<String, String> archiveParameters() {
        return files.archiveParameters();
    }

    public String stanza() {
        return config.stanza();
    }

    public void start() {
        watch.scheduleWithFixedDelay(this::watchOnce, 0, WATCH_SECONDS, TimeUnit.SECONDS);
    }

    /** Starts a base backup unless one runs; the caller has checked that this member is the primary. */
    public synchronized Request requestBackup(BackupType type) {
        if (lastRun.isPresent() && lastRun.get().state() == State.RUNNING) {
            return new AlreadyRunning(lastRun.get());
        }
        BackupRun run = new BackupRun(type, State.RUNNING, clock.instant(), Optional.empty(), "running");
        lastRun = Optional.of(run);
        runs.execute(() -> execute(run));
        return new Started(run);
    }

    public synchronized Optional<BackupRun> lastRun() {
        return lastRun;
    }

    /** The archiver's progress, while this member is the primary. */
    public Optional<ArchiverStatus> archiver() {
        return archiver;
    }

    /** The catalog as last read (after each backup, and every few minutes while leading). */
    public Optional<BackupCatalog> cachedCatalog() {
        return catalog;
    }

    /** The stanza's backups, read from the repository now. */
    public BackupCatalog readCatalog() {
        BackupCatalog read = BackupCatalog.parse(pgBackRest.infoJson(), config.stanza());
        catalog = Optional.of(read);
        return read;
    }

    private void execute(BackupRun run) {
        BackupRun outcome;
        try {
            ensureStanza();
            LOG.info("{} backup of stanza {} started", run.type().pgBackRestName(), config.stanza());
            pgBackRest.backup(run.type(), Duration.ofSeconds(config.backupTimeoutSeconds()));
            outcome = run.finished(State.SUCCEEDED, clock.instant(), "completed");
            LOG.info("{} backup of stanza {} completed", run.type().pgBackRestName(), config.stanza());
            readCatalogQuietly();
        } catch (BackupException e) {
            outcome = run.finished(State.FAILED, clock.instant(), e.getMessage());
            LOG.warn("{} backup of stanza {} failed: {}", run.type().pgBackRestName(), config.stanza(), e.getMessage());
        }
        synchronized (this) {
            lastRun = Optional.of(outcome);
        }
    }

    /**
     * One stanza-create at a time: the watch thread and a backup both ask for it, and pgBackRest's
     * stanza lock makes the second of two concurrent ones (or a backup beside one) fail.
     */
    private void ensureStanza() {
        synchronized (stanzaLock) {
            if (!stanzaReady) {
                pgBackRest.stanzaCreate();
                stanzaReady = true;
                LOG.info("pgBackRest stanza {} is ready", config.stanza());
            }
        }
    }

    /** One look while leading: the stanza, the archiver, now and then the catalog. Never throws. */
    private void watchOnce() {
        try {
            if (!leading.getAsBoolean()) {
                // A new leader checks the stanza again: the repository may have changed hands meanwhile.
                stanzaReady = false;
                archiver = Optional.empty();
                probe.close();
                return;
            }
            try {
                ensureStanza();
            } catch (BackupException e) {
                warnOnce("cannot create pgBackRest stanza " + config.stanza() + ": " + e.getMessage());
                return;
            }
            archiver = probe.read();
            archiver.filter(ArchiverStatus::failing).ifPresent(status -> warnOnce("WAL archiving fails: "
                    + status.waitingSegments() + " segments wait, the oldest for " + Math.round(status.lagSeconds())
                    + " s; last failure on " + status.lastFailedWal().orElse("?") + " (see the server log and "
                    + files.directory().resolve("log") + ")"));
            if (Duration.between(catalogReadAt, clock.instant()).compareTo(CATALOG_REFRESH) >= 0) {
                readCatalogQuietly();
            }
            startScheduledBackup();
        } catch (RuntimeException e) {
            warnOnce("backup watch: " + e);
        }
    }

    /** The backup {@code backup_schedule} asks for, unless one runs or the catalog is not known yet. */
    private void startScheduledBackup() {
        BackupSchedule wanted;
        try {
            wanted = schedule.get();
        } catch (IllegalArgumentException e) {
            warnOnce("backup_schedule is ignored: " + e.getMessage());
            return;
        }
        Optional<BackupCatalog> known = catalog;
        Optional<BackupRun> last = lastRun();
        if (known.isEmpty() || last.map(run -> run.state() == State.RUNNING).orElse(false)) {
            return;
        }
        // A failed backup is not retried every few seconds: the repository may be down for a while.
        if (last.filter(run -> run.state() == State.FAILED).flatMap(BackupRun::finishedAt)
                .map(at -> Duration.between(at, clock.instant()).compareTo(CATALOG_REFRESH) < 0).orElse(false)) {
            return;
        }
        wanted.due(known.get(), clock.instant()).ifPresent(type -> {
            LOG.info("backup_schedule: a {} backup is due", type.pgBackRestName());
            requestBackup(type);
        });
    }

    private void readCatalogQuietly() {
        try {
            readCatalog();
            catalogReadAt = clock.instant();
        } catch (BackupException e) {
            warnOnce("cannot read the backup catalog: " + e.getMessage());
        }
    }

    /** Logs a problem when it first appears, not every few seconds while it lasts. */
    private synchronized void warnOnce(String warning) {
        if (!warning.equals(lastWarning)) {
            LOG.warn(warning);
            lastWarning = warning;
        }
    }

    @Override
    public void close() {
        watch.shutdownNow();
        runs.shutdownNow();
        try {
            // A running backup's pgbackrest is stopped with its thread (ProcessRunner kills it when interrupted).
            runs.awaitTermination(10, TimeUnit.SECONDS);
            watch.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        probe.close();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
