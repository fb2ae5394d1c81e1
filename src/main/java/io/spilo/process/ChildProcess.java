package io.spilo.process;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A long-running program this JVM started and owns (HAProxy, etcd in the demo): output appended to
 * a file, signals sent by pid, stopped by pid. Never found or killed by name.
 */
public final class ChildProcess implements AutoCloseable {
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(15);

    private final String name;
    private final Process process;
    private final Path log;

    private ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code command} with output appended to {@code log}. With {@code ownSession} it runs in
     * a session of its own (setsid), so a Ctrl-C on this terminal does not reach it directly.
     */
    public static ChildProcess start(String name, List<String> command, Path log, boolean ownSession) {
        List<String> full = new java.util.ArrayList<>();
        if (ownSession) {
            full.add("setsid");
        }
        full.addAll(command);
        try {
            Process process = new ProcessBuilder(full)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            return new ChildProcess(name, process, log);
        } catch (IOException e) {
            throw new ProcessFailedException("cannot start " + name + " (" + command.get(0) + "): " + e.getMessage()
                    + " (is it installed?)", e);
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Where its output goes. */
    public Path log() {
        return log;
    }

    /** Waits for the process to end; its exit code. Throws when it is still running after {@code timeout}. */
    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new ProcessFailedException(name + " did not exit within " + timeout.toSeconds() + " s");
        }
        return process.exitValue();
    }

    /** Exit code if the process has ended. */
    public java.util.OptionalInt exitCode() {
        return process.isAlive() ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(process.exitValue());
    }

    /** Sends a signal (USR2, HUP, TERM, ...) by pid. */
    public void signal(String signal) {
        Signals.send(process.pid(), signal);
    }

    /** SIGTERM, then SIGKILL after {@code grace}. */
    public void stop(Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Stops it for good: a stopped (SIGSTOP) process is continued first so that SIGTERM can reach it. */
    @Override
    public void close() {
        if (process.isAlive()) {
            Signals.send(process.pid(), "CONT");
        }
        stop(CLOSE_GRACE);
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
