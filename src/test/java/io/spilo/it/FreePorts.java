package io.spilo.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/** Loopback ports nobody listens on right now, never handed out twice in one test run. */
final class FreePorts {
    private static final Set<Integer> GIVEN = new HashSet<>();

    private FreePorts() {
    }

    static synchronized int next() {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = socket.getLocalPort();
                // Stay clear of the ports a real installation may use.
                if (port != 5432 && port != 2379 && port != 2380 && port != 8008 && GIVEN.add(port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot find a free loopback port: " + e.getMessage(), e);
            }
        }
        throw new IllegalStateException("no free loopback port after 100 attempts");
    }
}
