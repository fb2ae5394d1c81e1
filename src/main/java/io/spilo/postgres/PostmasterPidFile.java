package io.spilo.postgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * {@code postmaster.pid}: line 1 the postmaster's pid, line 3 its start time (epoch seconds).
 * The one parser of that file, for the agent and for the tests.
 */
public final class PostmasterPidFile {
    /** A pid whose process started this far from the file's start time is somebody else's (a recycled pid). */
    private static final long START_TIME_TOLERANCE_SECONDS = 5;

    private PostmasterPidFile() {
    }

    /** The pid written in the file, alive or not; empty when there is no readable file. */
    public static Optional<Long> recordedPid(Path dataDirectory) {
        return read(dataDirectory).map(Entry::pid);
    }

    /**
     * The pid in the file, if that process is alive and started when the file says (so a recycled
     * pid of an unrelated process is not mistaken for our postmaster).
     */
    public static Optional<Long> livePid(Path dataDirectory) {
        Optional<Entry> entry = read(dataDirectory);
        if (entry.isEmpty()) {
            return Optional.empty();
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(entry.get().pid());
        if (handle.isEmpty() || !handle.get().isAlive() || isZombie(entry.get().pid())) {
            return Optional.empty();
        }
        Optional<Instant> started = handle.get().info().startInstant();
        if (started.isPresent()
                && Math.abs(started.get().getEpochSecond() - entry.get().startEpochSeconds()) > START_TIME_TOLERANCE_SECONDS) {
            return Optional.empty();
        }
        return Optional.of(entry.get().pid());
    }

    /**
     * The postmaster's own status line (line 8 since PostgreSQL 10: {@code starting}, {@code ready},
     * {@code standby}, {@code stopping}); empty without a file or that line.
     */
    public static Optional<String> status(Path dataDirectory) {
        try {
            List<String> lines = Files.readAllLines(dataDirectory.resolve("postmaster.pid"));
            return lines.size() >= 8 ? Optional.of(lines.get(7).strip()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * A killed postmaster stays a zombie until its parent (init, once pg_ctl has exited) reaps it;
     * the JDK calls a zombie alive, but it serves nobody and holds no lock: it is dead.
     */
    static boolean isZombie(long pid) {
        return processState(pid).filter(state -> state == 'Z' || state == 'X').isPresent();
    }

    /** The state letter of {@code /proc/<pid>/stat} (after the command in parentheses); empty without such a process. */
    private static Optional<Character> processState(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int end = stat.lastIndexOf(')');
            return end > 0 && end + 2 < stat.length() ? Optional.of(stat.charAt(end + 2)) : Optional.empty();
        } catch (IOException gone) {
            return Optional.empty();
        }
    }

    private record Entry(long pid, long startEpochSeconds) {
    }

    private static Optional<Entry> read(Path dataDirectory) {
        List<String> lines;
        try {
            lines = Files.readAllLines(dataDirectory.resolve("postmaster.pid"));
        } catch (IOException e) {
            return Optional.empty();
        }
        if (lines.size() < 3) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Entry(Long.parseLong(lines.get(0).strip()), Long.parseLong(lines.get(2).strip())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
