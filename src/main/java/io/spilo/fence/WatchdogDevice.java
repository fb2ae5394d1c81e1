package io.spilo.fence;

import java.io.IOException;

/** The kernel watchdog interface: opened, it resets the machine unless written to within its timeout. */
public interface WatchdogDevice {
    /** The device's timeout in seconds (read before it is opened). */
    int timeoutSeconds() throws IOException;

    /** Opens the device, which starts its countdown. */
    void open() throws IOException;

    /** Restarts the countdown. */
    void keepalive() throws IOException;

    /** Magic close: the countdown stops, the machine is not reset. */
    void close() throws IOException;

    /** For logs: the device's path. */
    String name();
}
