package io.spilo.fence;

import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watchdog device as a fence: kept alive on every hold, magic-closed on release. It is usable
 * only when its timeout ends before the lease can expire, with the configured safety margin:
 * otherwise a reset would come after another member could already have been promoted.
 */
public final class WatchdogFence implements Fence {
    private static final Logger LOG = LoggerFactory.getLogger(WatchdogFence.class);

    private final WatchdogDevice device;
    private final Duration safetyMargin;
    private boolean open;
    private int timeoutSeconds;
    private String lastProblem = "";

    public WatchdogFence(WatchdogDevice device, Duration safetyMargin) {
        this.device = device;
        this.safetyMargin = safetyMargin;
    }

    @Override
    public synchronized boolean hold(long postmasterPid, Duration untilFenced, Duration untilLeaseExpires) {
        try {
            if (!open) {
                timeoutSeconds = device.timeoutSeconds();
            }
            Duration allowed = untilLeaseExpires.minus(safetyMargin);
            if (Duration.ofSeconds(timeoutSeconds).compareTo(allowed) > 0) {
                problem("the timeout of watchdog " + device.name() + " (" + timeoutSeconds + " s) ends after the lease: it must be"
                        + " at most ttl - safety_margin (" + allowed.toSeconds() + " s here); set the driver's timeout"
                        + " (for softdog: modprobe softdog soft_margin=N)");
                release();
                return false;
            }
            if (!open) {
                device.open();
                open = true;
                LOG.info("watchdog {} activated (timeout {} s)", device.name(), timeoutSeconds);
            }
            device.keepalive();
            lastProblem = "";
            return true;
        } catch (IOException e) {
            problem("watchdog " + device.name() + " is not usable: " + e.getMessage());
            return false;
        }
    }

    private void problem(String text) {
        if (!text.equals(lastProblem)) {
            LOG.warn("{}", text);
            lastProblem = text;
        }
    }

    @Override
    public synchronized void release() {
        if (!open) {
            return;
        }
        try {
            device.close();
            LOG.info("watchdog {} disarmed", device.name());
        } catch (IOException e) {
            LOG.error("cannot disarm watchdog {}: {}", device.name(), e.getMessage());
        }
        open = false;
    }

    @Override
    public synchronized FenceState state() {
        return open ? FenceState.ARMED : lastProblem.isEmpty() ? FenceState.DISARMED : FenceState.UNAVAILABLE;
    }
}
