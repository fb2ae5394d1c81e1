package io.spilo.fence;

import io.spilo.config.WatchdogConfig;
import java.time.Duration;
import java.util.Optional;

/**
 * The agent's fences together: the process fence always, the watchdog device as configured.
 * {@code hold} is true when leadership may go on: always with {@code watchdog.mode} off or
 * automatic (a fence that cannot be armed says so in the log and in {@code /patroni}); with
 * {@code required} only when the process fence and the device are both armed (Patroni refuses
 * leadership without its watchdog).
 */
public final class FenceSet implements Fence {
    private final Fence process;
    private final Optional<Fence> watchdog;
    private final boolean watchdogRequired;

    public FenceSet(Fence process, Optional<Fence> watchdog, boolean watchdogRequired) {
        this.process = process;
        this.watchdog = watchdog;
        this.watchdogRequired = watchdogRequired;
    }

    /** The fences {@code config} asks for: none of the device with {@code mode: off}. */
    public static FenceSet of(Fence process, WatchdogConfig config) {
        return switch (config.mode()) {
            case OFF -> new FenceSet(process, Optional.empty(), false);
            case AUTOMATIC -> new FenceSet(process, Optional.of(watchdogFence(config)), false);
            case REQUIRED -> new FenceSet(process, Optional.of(watchdogFence(config)), true);
        };
    }

    private static Fence watchdogFence(WatchdogConfig config) {
        return new WatchdogFence(new LinuxWatchdogDevice(config.device()), Duration.ofSeconds(config.safetyMarginSeconds()));
    }

    @Override
    public boolean hold(long postmasterPid, Duration untilFenced, Duration untilLeaseExpires) {
        boolean processArmed = process.hold(postmasterPid, untilFenced, untilLeaseExpires);
        boolean deviceArmed = watchdog.map(device -> device.hold(postmasterPid, untilFenced, untilLeaseExpires)).orElse(false);
        return !watchdogRequired || (processArmed && deviceArmed);
    }

    @Override
    public void release() {
        process.release();
        watchdog.ifPresent(Fence::release);
    }

    @Override
    public FenceState state() {
        return process.state();
    }

    /** The watchdog device's state, when one is configured. */
    public Optional<FenceState> watchdogState() {
        return watchdog.map(Fence::state);
    }
}
