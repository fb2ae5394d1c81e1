package io.spilo.postgres;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the HA loop at once when the local postmaster dies or changes its status (starting, ready,
 * stopping), instead of at its next cycle: a crashed primary is restarted, and a restarted one
 * serves again, within a fraction of a second rather than up to {@code loop_wait} later each. Ten
 * times a second it costs one {@code stat} of {@code postmaster.pid} and one read of the
 * postmaster's {@code /proc/<pid>/stat}; the pid file is read only when it changed (PostgreSQL
 * rewrites it for every status change).
 */
public final class PostmasterWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostmasterWatch.class);
    private static final long INTERVAL_MILLIS = 100;

    /** What the watch compares: the live postmaster's pid, and the status it wrote. */
    private record Observation(Optional<Long> pid, Optional<String> status) {
    }

    private final Path dataDirectory;
    private final Runnable onChange;
    private final ScheduledExecutorService timer;
    // Owned by the timer thread.
    private Observation last;
    private Optional<java.nio.file.attribute.FileTime> pidFileModified = Optional.empty();

    private PostmasterWatch(Path dataDirectory, Runnable onChange) {
        this.dataDirectory = dataDirectory;
        this.onChange = onChange;
        this.timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "postmaster-watch");
            thread.setDaemon(true);
            return thread;
        });
    }

    public static PostmasterWatch start(Path dataDirectory, Runnable onChange) {
        PostmasterWatch watch = new PostmasterWatch(dataDirectory, onChange);
        watch.pidFileModified = watch.pidFileModified();
        watch.last = watch.observe();
        watch.timer.scheduleWithFixedDelay(watch::check, INTERVAL_MILLIS, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        return watch;
    }

    private Observation observe() {
        Optional<Long> pid = PostmasterPidFile.livePid(dataDirectory);
        return new Observation(pid, pid.isPresent() ? PostmasterPidFile.status(dataDirectory) : Optional.empty());
    }

    private Optional<java.nio.file.attribute.FileTime> pidFileModified() {
        try {
            return Optional.of(java.nio.file.Files.getLastModifiedTime(dataDirectory.resolve("postmaster.pid")));
        } catch (java.io.IOException missing) {
            return Optional.empty();
        }
    }

    private void check() {
        try {
            Optional<java.nio.file.attribute.FileTime> modified = pidFileModified();
            Observation now;
            if (!modified.equals(pidFileModified)) {
                pidFileModified = modified;
                now = observe();
            } else if (last.pid().isPresent() && !PostmasterPidFile.isRunning(last.pid().get())) {
                now = new Observation(Optional.empty(), Optional.empty());
            } else {
                now = last;
            }
            if (!now.equals(last)) {
                if (last.pid().isPresent() && now.pid().isEmpty()) {
                    LOG.info("postmaster {} exited", last.pid().get());
                }
                last = now;
                onChange.run();
            }
        } catch (RuntimeException e) {
            // A failed look must not end the watch: the loop's own cycle still sees everything, only later.
            LOG.warn("watching the postmaster failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
