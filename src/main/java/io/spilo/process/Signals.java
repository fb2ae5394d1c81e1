package io.spilo.process;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** POSIX signals by pid (through kill(1)), and checks that a pid still is the process we started. */
public final class Signals {
    private Signals() {
    }

    public static void send(long pid, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(pid))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
            }
        } catch (IOException e) {
            throw new ProcessFailedException("cannot send SIG" + signal + " to pid " + pid + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !isZombie(pid);
    }

    /**
     * An exited process its parent has not reaped yet: the JDK calls it alive, yet it runs nothing.
     * Orphans wait for the machine's init to reap them, which may take a while.
     */
    static boolean isZombie(long pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
            int end = stat.lastIndexOf(')');
            return end > 0 && end + 2 < stat.length() && stat.charAt(end + 2) == 'Z';
        } catch (java.io.IOException e) {
            return false; // gone, or no /proc: ProcessHandle's answer stands
        }
    }

    /** The process start time, to recognise a pid recorded earlier (pids are reused). */
    public static Optional<Instant> startTime(long pid) {
        return ProcessHandle.of(pid).flatMap(handle -> handle.info().startInstant());
    }

    /** True if {@code pid} is alive and started at {@code startedAt} (within a second). */
    public static boolean isSameProcess(long pid, long startedAtEpochMillis) {
        return startTime(pid).map(start -> Math.abs(start.toEpochMilli() - startedAtEpochMillis) < 1000).orElse(false)
                && isAlive(pid);
    }
}
