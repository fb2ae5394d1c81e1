package io.spilo.postgres;

import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 19: the loop hears of a postmaster's death and of its status changes without waiting for its next cycle. */
class PostmasterWatchTest {
    @TempDir
    Path data;

    private void writePidFile(long pid, String status) throws Exception {
        long started = ProcessHandle.of(pid).flatMap(handle -> handle.info().startInstant()).orElseThrow().getEpochSecond();
        Files.write(data.resolve("postmaster.pid"), List.of(Long.toString(pid), data.toString(), Long.toString(started), "5432",
                "/tmp", "*", "  5432001         0", status));
    }

    @Test
    void aDeathAndAStatusChangeEachWakeTheLoop() throws Exception {
        Process postmaster = new ProcessBuilder("sleep", "30").start();
        Process next = null;
        AtomicInteger wakeUps = new AtomicInteger();
        try {
            writePidFile(postmaster.pid(), "ready   ");
            try (PostmasterWatch watch = PostmasterWatch.start(data, wakeUps::incrementAndGet)) {
                postmaster.destroyForcibly().waitFor();
                await("the death is noticed").atMost(Duration.ofSeconds(5)).until(() -> wakeUps.get() == 1);

                next = new ProcessBuilder("sleep", "30").start();
                writePidFile(next.pid(), "starting");
                await("a new postmaster is noticed").atMost(Duration.ofSeconds(5)).until(() -> wakeUps.get() == 2);
                writePidFile(next.pid(), "ready   ");
                // As PostgreSQL's rewrite would: a later modification time, whatever the file system's resolution.
                Files.setLastModifiedTime(data.resolve("postmaster.pid"), java.nio.file.attribute.FileTime.fromMillis(
                        System.currentTimeMillis() + 1000));
                await("its status change is noticed").atMost(Duration.ofSeconds(5)).until(() -> wakeUps.get() == 3);
            }
        } finally {
            postmaster.destroyForcibly();
            if (next != null) {
                next.destroyForcibly();
            }
        }
    }
}
