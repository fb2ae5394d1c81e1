package io.spilo.fence;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code /dev/watchdog} through plain writes: any byte restarts the countdown, {@code V} before
 * closing stops it (the kernel's "magic close"). Java cannot issue the ioctl that sets the timeout,
 * so the device's own timeout is read from sysfs and checked against the lease instead.
 */
public final class LinuxWatchdogDevice implements WatchdogDevice {
    private final Path device;
    private FileOutputStream out;

    public LinuxWatchdogDevice(Path device) {
        this.device = device;
    }

    @Override
    public void open() throws IOException {
        out = new FileOutputStream(device.toFile());
    }

    /** /dev/watchdog is watchdog0; /dev/watchdogN is described in /sys/class/watchdog/watchdogN/timeout. */
    @Override
    public int timeoutSeconds() throws IOException {
        String name = device.getFileName().toString();
        Path timeout = Path.of("/sys/class/watchdog", name.equals("watchdog") ? "watchdog0" : name, "timeout");
        try {
            return Integer.parseInt(Files.readString(timeout, StandardCharsets.US_ASCII).trim());
        } catch (NumberFormatException e) {
            throw new IOException("cannot read the timeout of " + device + " from " + timeout, e);
        }
    }

    @Override
    public void keepalive() throws IOException {
        out.write('1');
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (out != null) {
            try {
                out.write('V');
                out.flush();
            } finally {
                out.close();
                out = null;
            }
        }
    }

    @Override
    public String name() {
        return device.toString();
    }
}
