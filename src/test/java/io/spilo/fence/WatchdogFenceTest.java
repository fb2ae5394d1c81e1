package io.spilo.fence;

import static org.assertj.core.api.Assertions.assertThat;

import io.spilo.config.ConfigException;
import io.spilo.config.ConfigLoader;
import io.spilo.config.WatchdogConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The watchdog section and the device fence, against a test double of the kernel's device interface. */
class WatchdogFenceTest {
    private static final Duration WINDOW = Duration.ofSeconds(5);
    private static final Duration LEASE = Duration.ofSeconds(10);

    /** Records what the kernel would see: opens, keepalives, magic closes. */
    static final class FakeDevice implements WatchdogDevice {
        final List<String> calls = new ArrayList<>();
        int timeout;
        boolean missing;

        FakeDevice(int timeout) {
            this.timeout = timeout;
        }

        @Override
        public int timeoutSeconds() throws IOException {
            if (missing) {
                throw new java.nio.file.NoSuchFileException("/sys/class/watchdog/watchdog0/timeout");
            }
            return timeout;
        }

        @Override
        public void open() {
            calls.add("open");
        }

        @Override
        public void keepalive() {
            calls.add("keepalive");
        }

        @Override
        public void close() {
            calls.add("magic close");
        }

        @Override
        public String name() {
            return "/dev/watchdog";
        }
    }

    /** A process fence that always arms, to see what the device adds. */
    private static final Fence PROCESS = new Fence() {
        @Override
        public boolean hold(long postmasterPid, Duration untilFenced, Duration untilLeaseExpires) {
            return true;
        }

        @Override
        public void release() {
        }

        @Override
        public FenceState state() {
            return FenceState.ARMED;
        }
    };

    @Test
    void aDeviceIsOpenedOnceKeptAliveOnEveryHoldAndMagicClosedOnRelease() {
        FakeDevice device = new FakeDevice(4);
        WatchdogFence fence = new WatchdogFence(device, Duration.ofSeconds(5));

        assertThat(fence.hold(42, WINDOW, LEASE)).isTrue();
        assertThat(fence.hold(42, WINDOW, LEASE)).isTrue();
        assertThat(fence.state()).isEqualTo(FenceState.ARMED);
        fence.release();

        assertThat(device.calls).containsExactly("open", "keepalive", "keepalive", "magic close");
        assertThat(fence.state()).isEqualTo(FenceState.DISARMED);
    }

    @Test
    void aDeviceWhoseTimeoutEndsAfterTheLeaseMinusTheMarginIsNotUsed() {
        FakeDevice device = new FakeDevice(6);
        WatchdogFence fence = new WatchdogFence(device, Duration.ofSeconds(5));

        assertThat(fence.hold(42, WINDOW, LEASE)).isFalse();
        assertThat(device.calls).doesNotContain("open");
        assertThat(fence.state()).isEqualTo(FenceState.UNAVAILABLE);
    }

    @Test
    void requiredModeRefusesLeadershipWithoutTheDeviceAutomaticModeGoesOn() {
        FakeDevice missing = new FakeDevice(4);
        missing.missing = true;

        FenceSet required = new FenceSet(PROCESS, java.util.Optional.of(new WatchdogFence(missing, Duration.ofSeconds(5))), true);
        FenceSet automatic = new FenceSet(PROCESS, java.util.Optional.of(new WatchdogFence(missing, Duration.ofSeconds(5))), false);

        assertThat(required.hold(42, WINDOW, LEASE)).isFalse();
        assertThat(automatic.hold(42, WINDOW, LEASE)).isTrue();
        assertThat(automatic.watchdogState()).hasValue(FenceState.UNAVAILABLE);
        assertThat(required.hold(42, WINDOW, LEASE)).as("and with the device there").isFalse();
        missing.missing = false;
        assertThat(required.hold(42, WINDOW, LEASE)).isTrue();
    }

    private static WatchdogConfig parse(String section) {
        String yaml = """
                scope: demo
                name: node1
                restapi: {listen: 127.0.0.1:8008}
                etcd3: {hosts: 127.0.0.1:2379}
                postgresql:
                  listen: 127.0.0.1:5432
                  data_dir: /srv/data
                  authentication:
                    superuser: {username: postgres, password: secret}
                    replication: {username: replicator, password: repl}
                """ + section;
        return ConfigLoader.parse(yaml, "spilo.yml", Map.of()).watchdog();
    }

    @Test
    void theWatchdogSectionReadsAsInPatroni() {
        assertThat(parse("")).isEqualTo(WatchdogConfig.DEFAULT);
        assertThat(parse("watchdog:\n  mode: required\n  device: /dev/watchdog1\n  safety_margin: 3\n"))
                .isEqualTo(new WatchdogConfig(WatchdogConfig.Mode.REQUIRED, Path.of("/dev/watchdog1"), 3));
        assertThat(parse("watchdog:\n  mode: off\n").mode()).isEqualTo(WatchdogConfig.Mode.OFF);
        assertThat(parse("watchdog:\n  mode: automatic\n").mode()).isEqualTo(WatchdogConfig.Mode.AUTOMATIC);
    }

    @Test
    void aWrongWatchdogValueNamesTheKey() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> parse("watchdog:\n  mode: sometimes\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("watchdog.mode").hasMessageContaining("sometimes");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> parse("watchdog:\n  safety_margin: soon\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("watchdog.safety_margin");
    }
}
