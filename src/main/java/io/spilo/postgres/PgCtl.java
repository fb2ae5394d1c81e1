package io.spilo.postgres;

import io.spilo.config.PostgresConfig;
import io.spilo.process.ChildProcess;
import io.spilo.process.ProcessFailedException;
import io.spilo.process.ProcessResult;
import io.spilo.process.ProcessRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * pg_ctl, run as the PostgreSQL user, always with a timeout; the postmaster itself is started
 * directly (see {@link #launch()}), its output appended to the server log.
 */
final class PgCtl {
    private static final Logger LOG = LoggerFactory.getLogger(PgCtl.class);
    private static final Duration SHORT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration REAP_PATIENCE = Duration.ofSeconds(3);
    /** The postmaster.pid status of a server that accepts connections (what pg_ctl start -w waits for). */
    private static final java.util.Set<String> ACCEPTING = java.util.Set.of("ready", "standby");

    private final PostgresConfig config;
    private final ProcessRunner runner;

    PgCtl(PostgresConfig config, ProcessRunner runner) {
        this.config = config;
        this.runner = runner;
    }

    /** Starts and waits until the server accepts connections, at most {@code timeout}. */
    void start(Duration timeout) {
        ChildProcess postmaster = launch();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!postmaster.isAlive()) {
                throw new PostgresException("PostgreSQL exited while starting (exit " + postmaster.exitCode().orElse(-1) + "): "
                        + serverLogTail() + "; see " + config.serverLogFile());
            }
            if (PostmasterPidFile.livePid(config.dataDirectory()).isPresent()
                    && PostmasterPidFile.status(config.dataDirectory()).filter(ACCEPTING::contains).isPresent()) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PostgresException("interrupted while PostgreSQL was starting");
            }
        }
        throw new PostgresException("PostgreSQL did not accept connections within " + timeout.toSeconds() + " s; see "
                + config.serverLogFile());
    }

    /** Starts without waiting: the caller watches the server come up. */
    void startInBackground() {
        launch();
    }

    /**
     * The postmaster runs as this agent's child (through runuser when the agent is root), in a
     * session of its own like pg_ctl's: when it dies its parent reaps it at once, so it can be
     * started again at once, whatever the machine's init does with orphans (pg_ctl's postmaster is
     * an orphan, and PostgreSQL refuses to start while a dead one's pid is not reaped). It outlives
     * the agent all the same: killing the agent does not reach it.
     */
    private ChildProcess launch() {
        awaitCrashedPostmasterReaped();
        List<String> command = runner.asPostgresUser(List.of(config.program("postgres").toString(), "-D", data()));
        try {
            return ChildProcess.start("postgres", command, config.serverLogFile(), true);
        } catch (ProcessFailedException e) {
            throw new PostgresException("cannot start PostgreSQL: " + e.getMessage(), e);
        }
    }

    private String serverLogTail() {
        try {
            List<String> lines = java.nio.file.Files.readAllLines(config.serverLogFile());
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        } catch (java.io.IOException e) {
            return "(no server log: " + e.getMessage() + ")";
        }
    }

    /**
     * A killed postmaster is a zombie until its parent reaps it, and PostgreSQL refuses to start
     * while the pid in postmaster.pid exists ("lock file already exists"). Init reaps at once; other
     * parents may take a moment: wait for that (bounded), rather than fail and retry a cycle later.
     */
    private void awaitCrashedPostmasterReaped() {
        java.util.Optional<Long> recorded = PostmasterPidFile.recordedPid(config.dataDirectory());
        if (recorded.isEmpty() || !PostmasterPidFile.isZombie(recorded.get())) {
            return;
        }
        long deadline = System.nanoTime() + REAP_PATIENCE.toNanos();
        while (PostmasterPidFile.isZombie(recorded.get()) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (PostmasterPidFile.isZombie(recorded.get())) {
            LOG.warn("the crashed postmaster {} is still not reaped by its parent after {} s; starting anyway",
                    recorded.get(), REAP_PATIENCE.toSeconds());
        }
    }

    /** Fast shutdown; immediate when that does not finish in time. */
    void stop(Duration timeout) {
        if (PostmasterPidFile.livePid(config.dataDirectory()).isEmpty()) {
            return;
        }
        ProcessResult result = run(List.of("stop", "-D", data(), "-m", "fast", "-w", "-t", Long.toString(timeout.toSeconds())),
                timeout.plusSeconds(10));
        if (!result.succeeded() && PostmasterPidFile.livePid(config.dataDirectory()).isPresent()) {
            LOG.warn("fast shutdown failed ({}); stopping PostgreSQL immediately", result.tail());
            ProcessResult immediate = run(List.of("stop", "-D", data(), "-m", "immediate", "-w", "-t", "30"),
                    Duration.ofSeconds(40));
            if (!immediate.succeeded() && PostmasterPidFile.livePid(config.dataDirectory()).isPresent()) {
                throw new PostgresException("pg_ctl stop failed (exit " + immediate.exitCode() + "): " + immediate.tail());
            }
        }
    }

    void promote(Duration timeout) {
        check(run(List.of("promote", "-D", data(), "-w", "-t", Long.toString(timeout.toSeconds())), timeout.plusSeconds(10)),
                "pg_ctl promote", false);
    }

    void reload() {
        check(run(List.of("reload", "-D", data()), SHORT_TIMEOUT), "pg_ctl reload", false);
    }

    private String data() {
        return config.dataDirectory().toString();
    }

    private void check(ProcessResult result, String what, boolean pointToLog) {
        if (!result.succeeded()) {
            throw new PostgresException(what + " failed (exit " + result.exitCode() + "): " + result.tail()
                    + (pointToLog ? "; see " + config.serverLogFile() : ""));
        }
    }

    private ProcessResult run(List<String> arguments, Duration timeout) {
        List<String> command = new ArrayList<>();
        command.add(config.program("pg_ctl").toString());
        command.addAll(arguments);
        try {
            return runner.runAsPostgresUser(command, java.util.Map.of(), timeout);
        } catch (ProcessFailedException e) {
            throw new PostgresException(e.getMessage(), e);
        }
    }
}
