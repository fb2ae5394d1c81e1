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
public final class ChildProcess {
    private final String name;
    private final Process process;

    private ChildProcess(String name, Process process) {
        this.name = name;
        this.process = process;
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
            return new ChildProcess(name, process);
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

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
