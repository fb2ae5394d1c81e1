package io.spilo.postgres;

import io.spilo.config.PostgresConfig;
import io.spilo.process.ProcessFailedException;
import io.spilo.process.ProcessResult;
import io.spilo.process.ProcessRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * pg_ctl, run as the PostgreSQL user, always with a timeout. The server is started with
 * {@code -l}: the postmaster is then not tied to this JVM's pipes and outlives the agent.
 */
final class PgCtl {
    private static final Logger LOG = LoggerFactory.getLogger(PgCtl.class);
    private static final Duration SHORT_TIMEOUT = Duration.ofSeconds(30);

    private final PostgresConfig config;
    private final ProcessRunner runner;

    PgCtl(PostgresConfig config, ProcessRunner runner) {
        this.config = config;
        this.runner = runner;
    }

    /** Starts and waits until the server accepts connections, at most {@code timeout}. */
    void start(Duration timeout) {
        check(run(List.of("start", "-D", data(), "-l", config.serverLogFile().toString(), "-w",
                "-t", Long.toString(timeout.toSeconds())), timeout.plusSeconds(10)), "pg_ctl start", true);
    }

    /** Starts without waiting: the caller watches the server come up. */
    void startInBackground() {
        check(run(List.of("start", "-D", data(), "-l", config.serverLogFile().toString(), "-W"), SHORT_TIMEOUT),
                "pg_ctl start", true);
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
