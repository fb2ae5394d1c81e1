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
 * serves again, within a fraction of a second rather than up to {@code loop_wait} later each. Five
 * times a second it costs one {@code stat} of {@code postmaster.pid} and one read of the
 * postmaster's {@code /proc/<pid>/stat}, kept open (at rest this watch was the agent's largest
 * CPU cost, ahead of the HA loop, while it opened files and built paths each time); the pid file
 * is read only when it changed (PostgreSQL rewrites it for every status change).
 */
public final class PostmasterWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostmasterWatch.class);
    private static final long INTERVAL_MILLIS = 200;

    /** What the watch compares: the live postmaster's pid, and the status it wrote. */
    private record Observation(Optional<Long> pid, Optional<String> status) {
    }

    private final Path dataDirectory;
    private final Runnable onChange;
    private final ScheduledExecutorService timer;
    private final java.io.File pidFile;
    // Owned by the timer thread.
    private Observation last;
    private long pidFileModified;
    private ProcessStatFile postmasterStat;

    private PostmasterWatch(Path dataDirectory, Runnable onChange) {
        this.dataDirectory = dataDirectory;
        this.pidFile = dataDirectory.resolve("postmaster.pid").toFile();
        this.onChange = onChange;
        this.timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "postmaster-watch");
            thread.setDaemon(true);
            return thread;
        });
    }

    public static PostmasterWatch start(Path dataDirectory, Runnable onChange) {
        PostmasterWatch watch = new PostmasterWatch(dataDirectory, onChange);
        watch.pidFileModified = watch.pidFile.lastModified();
        watch.last = watch.observe();
        watch.timer.scheduleWithFixedDelay(watch::check, INTERVAL_MILLIS, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        return watch;
    }

    private Observation observe() {
        Optional<Long> pid = PostmasterPidFile.livePid(dataDirectory);
        // Opened afresh with every change of the pid file: the one kept belongs to the process the file named.
        if (postmasterStat != null) {
            postmasterStat.close();
        }
        postmasterStat = pid.map(ProcessStatFile::open).orElse(null);
        return new Observation(pid, pid.isPresent() ? PostmasterPidFile.status(dataDirectory) : Optional.empty());
    }

    private void check() {
        try {
            long modified = pidFile.lastModified(); // 0 without a file
            Observation now;
            if (modified != pidFileModified) {
                pidFileModified = modified;
                now = observe();
            } else if (last.pid().isPresent() && (postmasterStat == null || !postmasterStat.running())) {
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
        try {
            timer.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (postmasterStat != null) {
            postmasterStat.close();
        }
    }
}
