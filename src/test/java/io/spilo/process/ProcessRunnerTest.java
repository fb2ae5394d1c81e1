package io.spilo.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessRunnerTest {
    private final ProcessRunner runner = ProcessRunner.asCurrentUser();

    @Test
    void theWholeOutputAndTheExitCodeComeBack() {
        ProcessResult result = runner.run(List.of("sh", "-c", "echo out; echo err >&2; sleep 0.2; echo later; exit 3"), Map.of(),
                Duration.ofSeconds(10));
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.output()).isEqualTo("out\nerr\nlater\n");
    }

    /** An agent killed while a tool runs must not leave its output file in the temporary directory. */
    @Test
    void theOutputFileIsUnlinkedWhileTheProcessStillRuns() {
        ProcessResult result = runner.run(List.of("sh", "-c", "sleep 0.5; readlink /proc/$$/fd/1"), Map.of(), Duration.ofSeconds(10));
        assertThat(result.output().strip()).contains("spilo-process-").endsWith("(deleted)");
    }

    @Test
    void aProcessPastItsTimeoutIsKilledAndItsOutputQuoted() {
        assertThatThrownBy(() -> runner.run(List.of("sh", "-c", "echo begun; exec sleep 30"), Map.of(), Duration.ofMillis(500)))
                .isInstanceOf(ProcessFailedException.class).hasMessageContaining("did not finish within").hasMessageContaining("begun");
    }

    @Test
    void aMissingProgramSaysSo() {
        assertThatThrownBy(() -> runner.run(List.of("/nonexistent/tool"), Map.of(), Duration.ofSeconds(5)))
                .isInstanceOf(ProcessFailedException.class).hasMessageContaining("cannot run /nonexistent/tool");
    }
}
