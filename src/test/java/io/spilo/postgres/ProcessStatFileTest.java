package io.spilo.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcessStatFileTest {
    @Test
    void aRunningProcessRunsAndOnceReapedItDoesNotEvenIfItsPidComesBack() throws Exception {
        Process child = new ProcessBuilder("sleep", "30").start();
        try (ProcessStatFile stat = ProcessStatFile.open(child.pid())) {
            assertThat(stat).isNotNull();
            assertThat(stat.running()).isTrue();
            assertThat(stat.running()).as("read again in place").isTrue();
            child.destroyForcibly().waitFor();
            assertThat(stat.running()).isFalse();
            assertThat(stat.running()).isFalse();
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void noSuchProcessOpensNothing() {
        assertThat(ProcessStatFile.open(Long.MAX_VALUE)).isNull();
    }
}
