package io.spilo.proxy;

import io.spilo.config.HaproxyConfig;
import io.spilo.process.Signals;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure exactly one HAProxy serves a state directory: a previous one whose {@code spilo
 * haproxy} died is stopped (by the pid in its pid file, checked to be HAProxy), a live supervisor's
 * is never touched, and the ports must be free — HAProxy binds with SO_REUSEPORT, so a second one
 * would silently share the ports and the kernel would split connections between them.
 */
final class HaproxyProcesses {
    private static final Logger LOG = LoggerFactory.getLogger(HaproxyProcesses.class);

    private HaproxyProcesses() {
    }

    /**
     * The command that starts HAProxy so that it dies with the thread that starts it: HAProxy must not
     * outlive its supervisor (a SIGKILLed {@code spilo haproxy} would otherwise leave it routing by a
     * configuration that nobody updates).
     */
    static List<String> tiedToThisProcess(List<String> haproxyCommand) {
        List<String> command = new java.util.ArrayList<>(List.of("setpriv", "--pdeathsig", "TERM", "--"));
        command.addAll(haproxyCommand);
        return command;
    }

    /** Stops a HAProxy left by a {@code spilo haproxy} that died; refuses when a live one still runs it. */
    static void stopLeftover(HaproxyConfig haproxy) {
        Optional<Long> pid = recordedPid(haproxy);
        if (pid.isEmpty()) {
            return;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid.get()).filter(ProcessHandle::isAlive);
        if (handle.isEmpty() || !isHaproxy(handle.get())) {
            return;
        }
        Optional<ProcessHandle> supervisor = handle.get().parent().filter(HaproxyProcesses::isJava);
        if (supervisor.isPresent()) {
            throw new ProxyException("HAProxy (pid " + pid.get() + ") for " + haproxy.stateDirectory() + " is run by another"
                    + " spilo haproxy (pid " + supervisor.get().pid() + "); stop that one first, or use another haproxy.state_dir");
        }
        LOG.warn("stopping HAProxy pid {}, left running by a spilo haproxy that died", pid.get());
        Signals.send(pid.get(), "TERM");
        if (!waitForExit(handle.get(), Duration.ofSeconds(10))) {
            Signals.send(pid.get(), "KILL");
            waitForExit(handle.get(), Duration.ofSeconds(5));
        }
    }

    /** Throws with the port when something already listens on one of HAProxy's ports. */
    static void checkPortsFree(HaproxyConfig haproxy) {
        InetAddress address;
        try {
            address = InetAddress.getByName(haproxy.bind());
        } catch (IOException e) {
            return; // HAProxy reports an unusable bind address itself, with its own words
        }
        for (int port : List.of(haproxy.primaryPort(), haproxy.replicaPort(), haproxy.statsPort())) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(address, port));
            } catch (IOException e) {
                throw new ProxyException("port " + port + " on " + haproxy.bind() + " is already in use by another program;"
                        + " stop it, or choose other haproxy.*_port values");
            }
        }
    }

    private static Optional<Long> recordedPid(HaproxyConfig haproxy) {
        try {
            List<String> lines = Files.readAllLines(haproxy.pidFile());
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static boolean isHaproxy(ProcessHandle handle) {
        return handle.info().command().map(command -> command.endsWith("/haproxy") || command.equals("haproxy")).orElse(false);
    }

    private static boolean isJava(ProcessHandle handle) {
        return handle.isAlive() && handle.info().command().map(command -> command.endsWith("/java")).orElse(false);
    }

    private static boolean waitForExit(ProcessHandle handle, Duration timeout) {
        try {
            handle.onExit().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return !handle.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !handle.isAlive();
        }
    }
}
