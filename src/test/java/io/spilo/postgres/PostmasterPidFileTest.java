package io.spilo.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 19: a dead postmaster is dead even while its zombie waits to be reaped; the status line is read as written. */
class PostmasterPidFileTest {
    @TempDir
    Path data;

    @Test
    void aZombieIsNotALivePostmaster() throws Exception {
        // sh becomes "sleep 5" (exec keeps the pid) and never reaps its child "sleep 0.1": a zombie, as a
        // killed postmaster is until its parent reaps it.
        Process parent = new ProcessBuilder("sh", "-c", "sleep 0.1 & exec sleep 5").start();
        try {
            long child = await().atMost(Duration.ofSeconds(5)).until(() -> parent.toHandle().children().findFirst()
                    .map(ProcessHandle::pid).orElse(0L), pid -> pid > 0);
            long started = ProcessHandle.of(child).flatMap(handle -> handle.info().startInstant()).orElseThrow().getEpochSecond();
            Files.write(data.resolve("postmaster.pid"), List.of(Long.toString(child), data.toString(), Long.toString(started)));
            await("the child becomes a zombie").atMost(Duration.ofSeconds(5)).until(() -> PostmasterPidFile.isZombie(child));
            assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive)).as("the JDK still calls it alive").contains(true);
            assertThat(PostmasterPidFile.livePid(data)).as("a zombie serves nobody").isEmpty();
        } finally {
            parent.destroyForcibly().waitFor();
        }
    }

    @Test
    void theStatusLineIsTheEighth() throws Exception {
        Files.write(data.resolve("postmaster.pid"), List.of("123", data.toString(), "1700000000", "5432", "/tmp", "*",
                "  5432001         0", "ready   "));
        assertThat(PostmasterPidFile.status(data)).contains("ready");

        Files.write(data.resolve("postmaster.pid"), List.of("123", data.toString(), "1700000000"));
        assertThat(PostmasterPidFile.status(data)).as("written before the server reports a status").isEmpty();
    }
}
