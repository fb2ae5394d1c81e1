package io.spilo.fence;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fence as a small bash process beside the agent ({@code fence.sh}): it holds a deadline fed
 * through a pipe, and stops the postmaster when the deadline passes or the pipe closes without a
 * disarm. It needs nothing from the agent's JVM to fire, so SIGSTOP, a long GC pause, a deadlocked
 * loop and {@code kill -9} of the agent all end in a stopped PostgreSQL. It runs as the PostgreSQL
 * OS user (the agent, as root, drops to it), so it can signal the postmaster and nothing else.
 */
public final class ProcessFence implements Fence {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessFence.class);
    private static final Duration DISARM_WAIT = Duration.ofSeconds(2);
    private static final Duration SMALLEST_DEADLINE = Duration.ofMillis(1);

    private final String osUser;
    private final boolean switchUser;
    private final Path log;
    private final Path dataDirectory;
    private final String script;
    private Process process;
    private OutputStream feed;
    private FenceState state = FenceState.DISARMED;

    /**
     * @param osUser the PostgreSQL OS user; the fence runs as it when the agent runs as root
     * @param dataDirectory PostgreSQL's data directory (its postmaster.pid names the postmaster when
     *     the agent has not yet)
     * @param log where the fence writes why it fired (beside the data directory)
     */
    public ProcessFence(String osUser, Path dataDirectory, Path log) {
        this.osUser = osUser;
        this.dataDirectory = dataDirectory;
        this.switchUser = "root".equals(System.getProperty("user.name")) && !"root".equals(osUser);
        this.log = log;
        this.script = loadScript();
    }

    private static String loadScript() {
        try (InputStream in = ProcessFence.class.getResourceAsStream("fence.sh")) {
            if (in == null) {
                throw new IllegalStateException("fence.sh is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized boolean hold(long postmasterPid, Duration untilFenced, Duration untilLeaseExpires) {
        Duration deadline = untilFenced.compareTo(SMALLEST_DEADLINE) < 0 ? SMALLEST_DEADLINE : untilFenced;
        if (process != null && !process.isAlive()) {
            forgetExited();
        }
        if (process == null && !start(deadline)) {
            return false;
        }
        try {
            feed.write(String.format(Locale.ROOT, "feed %.3f %d%n", deadline.toNanos() / 1e9, postmasterPid)
                    .getBytes(StandardCharsets.US_ASCII));
            feed.flush();
            state = FenceState.ARMED;
            return true;
        } catch (IOException e) {
            // The fence exited between the check and the write: it fired.
            forgetExited();
            return false;
        }
    }

    private boolean start(Duration deadline) {
        List<String> command = new ArrayList<>();
        if (switchUser) {
            command.addAll(List.of("setpriv", "--reuid=" + osUser, "--regid=" + osUser, "--init-groups", "--"));
        }
        command.addAll(List.of("bash", "-c", script, "spilo-fence",
                String.format(Locale.ROOT, "%.3f", deadline.toNanos() / 1e9), dataDirectory.toString()));
        try {
            process = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            feed = process.getOutputStream();
            LOG.info("fence armed (pid {}): PostgreSQL is stopped unless the agent renews its leadership in time", process.pid());
            return true;
        } catch (IOException e) {
            LOG.error("cannot start the fence (bash{}): {}; a frozen agent would not stop this primary",
                    switchUser ? " through setpriv" : "", e.getMessage());
            process = null;
            state = FenceState.UNAVAILABLE;
            return false;
        }
    }

    private void forgetExited() {
        int exit = process.exitValue();
        if (exit != 0) {
            LOG.warn("the fence stopped PostgreSQL (exit {}; see {})", exit, log);
            state = FenceState.FIRED;
        } else {
            state = FenceState.DISARMED;
        }
        process = null;
        feed = null;
    }

    @Override
    public synchronized void release() {
        if (process == null) {
            return;
        }
        try {
            feed.write("disarm\n".getBytes(StandardCharsets.US_ASCII));
            feed.flush();
            feed.close();
        } catch (IOException e) {
            // Already gone; its exit status says whether it fired.
        }
        try {
            if (!process.waitFor(DISARM_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(DISARM_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (process.isAlive()) {
            LOG.error("the fence (pid {}) did not exit after disarm", process.pid());
            return;
        }
        if (process.exitValue() == 0) {
            LOG.info("fence disarmed");
        }
        forgetExited();
    }

    @Override
    public synchronized FenceState state() {
        if (process != null && !process.isAlive()) {
            forgetExited();
        }
        return state;
    }
}
