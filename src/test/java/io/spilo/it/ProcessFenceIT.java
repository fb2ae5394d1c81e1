package io.spilo.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.spilo.fence.FenceState;
import io.spilo.fence.ProcessFence;
import io.spilo.process.Signals;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fence process for real (bash, signals, its deadline), against a stand-in postmaster: a
 * process with a child, like a postmaster with a backend. FencingIT runs it against PostgreSQL.
 */
class ProcessFenceIT {
    private final TestDirectory directory = new TestDirectory("spilo-it-fence-");
    private final List<Process> started = new ArrayList<>();
    private ProcessFence fence;

    @AfterEach
    void tearDown() throws Exception {
        if (fence != null) {
            fence.release();
        }
        for (Process process : started) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor();
        }
        directory.close();
    }

    /** A parent that ignores SIGQUIT (so only SIGKILL ends it) with a child, as a hung postmaster and its backend. */
    private Process stubbornPostmaster() throws IOException {
        Process process = new ProcessBuilder("bash", "-c", "trap '' QUIT; sleep 600 & wait").start();
        started.add(process);
        await("the stand-in's child").atMost(Duration.ofSeconds(10)).until(() -> process.children().findAny().isPresent());
        return process;
    }

    private ProcessFence newFence() {
        Path data = directory.path().resolve("data");
        try {
            Files.createDirectories(data);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        // The stand-in runs as this user: the fence must too (as root it would drop to postgres).
        return new ProcessFence(System.getProperty("user.name"), data, directory.path().resolve("fence.log"));
    }

    @Test
    void aFenceThatIsNotFedKillsThePostmasterAndItsChildrenAndSaysSo() throws Exception {
        Process postmaster = stubbornPostmaster();
        long child = postmaster.children().findFirst().orElseThrow().pid();
        fence = newFence();
        long armedAt = System.nanoTime();

        assertThat(fence.hold(postmaster.pid(), Duration.ofMillis(500), Duration.ofSeconds(10))).isTrue();
        assertThat(fence.state()).isEqualTo(FenceState.ARMED);

        await("the fence fired").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> !postmaster.isAlive() && !Signals.isAlive(child));
        double seconds = (System.nanoTime() - armedAt) / 1e9;
        System.out.printf("MEASURE process fence: deadline 0.5 s, SIGQUIT ignored -> postmaster and child gone after %.2f s%n", seconds);
        assertThat(seconds).as("not before its deadline").isGreaterThanOrEqualTo(0.5);
        await().atMost(Duration.ofSeconds(5)).until(() -> fence.state() == FenceState.FIRED);
        assertThat(Files.readString(directory.path().resolve("fence.log"))).contains("not fed within the leadership window");
        assertThat(fence.hold(postmaster.pid(), Duration.ofSeconds(5), Duration.ofSeconds(10))).as("a new hold arms a new fence").isTrue();
        fence.release();
    }

    @Test
    void aFedFenceWaitsAndADisarmedOneLeavesThePostmasterAlone() throws Exception {
        Process postmaster = stubbornPostmaster();
        fence = newFence();
        long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (System.nanoTime() < until) {
            assertThat(fence.hold(postmaster.pid(), Duration.ofMillis(400), Duration.ofSeconds(10))).isTrue();
            Thread.sleep(100);
        }
        assertThat(postmaster.isAlive()).isTrue();

        fence.release();
        assertThat(fence.state()).isEqualTo(FenceState.DISARMED);
        Thread.sleep(800);
        assertThat(postmaster.isAlive()).as("two deadlines after the disarm").isTrue();
    }

    @Test
    void withoutAFedPidItFencesThePostmasterNamedInPostmasterPid() throws Exception {
        Process postmaster = stubbornPostmaster();
        fence = newFence();
        Files.writeString(directory.path().resolve("data/postmaster.pid"), postmaster.pid() + "\n/some/data\n");

        assertThat(fence.hold(0, Duration.ofMillis(300), Duration.ofSeconds(10))).isTrue();

        await("the fence fired").atMost(Duration.ofSeconds(10)).until(() -> !postmaster.isAlive());
    }
}
