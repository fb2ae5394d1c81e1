package io.spilo.demo;

import io.spilo.process.Signals;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Stops the demo's processes by pid, each checked against its start time so a recycled pid is never signalled. */
final class DemoStopper {
    private final PrintWriter out;

    DemoStopper(PrintWriter out) {
        this.out = out;
    }


    boolean anythingRunning(DemoLayout layout) {
        boolean running = Signals.isSameProcess(layout.haproxy().pid(), layout.haproxy().startedAtEpochMillis());
        for (DemoLayout.Node node : layout.nodes()) {
            running |= Signals.isSameProcess(node.agentPid(), node.agentStartedAtEpochMillis());
        }
        for (DemoLayout.EtcdMember member : layout.etcd()) {
            running |= Signals.isSameProcess(member.pid(), member.startedAtEpochMillis());
        }
        return running;
    }


    void stopProcess(String what, long pid, long startedAt, String signal) {
        if (pid <= 0 || !Signals.isSameProcess(pid, startedAt)) {
            return;
        }
        Signals.send(pid, "CONT");
        Signals.send(pid, signal);
        if (!waitForExit(pid, Duration.ofSeconds(30))) {
            out.println(what + " (pid " + pid + ") did not stop within 30 s; killing it");
            Signals.send(pid, "KILL");
            waitForExit(pid, Duration.ofSeconds(5));
        }
    }


    /** HAProxy is the child of spilo haproxy, which stops it; if that JVM died first, stop HAProxy by its pid file. */
    void stopHaproxyLeftover(DemoLayout layout) {
        Path pidFile = Path.of(layout.haproxy().stateDirectory()).resolve("haproxy.pid");
        readPid(pidFile).filter(pid -> isCommand(pid, "haproxy")).ifPresent(pid -> {
            Signals.send(pid, "TERM");
            waitForExit(pid, Duration.ofSeconds(10));
        });
    }


    /** The node's running postmaster, from its pid file. */
    Optional<Long> postmaster(DemoLayout.Node node) {
        return readPid(Path.of(node.dataDirectory()).resolve("postmaster.pid")).filter(pid -> isCommand(pid, "postgres"));
    }

    void stopPostgres(DemoLayout.Node node) {
        readPid(Path.of(node.dataDirectory()).resolve("postmaster.pid")).filter(pid -> isCommand(pid, "postgres")).ifPresent(pid -> {
            Signals.send(pid, "INT");
            if (!waitForExit(pid, Duration.ofSeconds(60))) {
                Signals.send(pid, "QUIT");
                waitForExit(pid, Duration.ofSeconds(10));
            }
        });
    }


    static boolean isCommand(long pid, String program) {
        return ProcessHandle.of(pid).flatMap(handle -> handle.info().command())
                .map(command -> command.endsWith("/" + program) || command.equals(program)).orElse(false);
    }


    static Optional<Long> readPid(Path file) {
        try {
            String first = Files.readAllLines(file).get(0).strip();
            return Optional.of(Long.parseLong(first));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }


    static boolean waitForExit(long pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (Signals.isAlive(pid)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
