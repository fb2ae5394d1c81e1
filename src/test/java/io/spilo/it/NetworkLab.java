package io.spilo.it;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Test hosts in network namespaces this suite creates: every host has its own namespace and one
 * address on a bridge that lives in a namespace of its own; the test JVM reaches the bridge
 * through one "observer" veth. Links are cut with nftables rules or link state inside a host's
 * namespace. Everything is removed on close (also after a failure). Requires root.
 */
final class NetworkLab implements AutoCloseable {
    record Host(String name, String namespace, String address) {
    }

    private final String prefix;
    private final String subnet;
    private final String switchNamespace;
    private final Map<String, Host> hosts = new LinkedHashMap<>();
    private final Thread cleanupOnExit = new Thread(this::removeAll, "network-lab-cleanup");
    private int nextAddress = 1;
    /**
     * Labs of one test run get distinct subnets and names, also when test classes run in parallel;
     * the random start keeps two runs on one machine apart.
     */
    private static final java.util.concurrent.atomic.AtomicInteger LABS =
            new java.util.concurrent.atomic.AtomicInteger(ThreadLocalRandom.current().nextInt(0, 0xefff));

    /** Whether this machine lets the suite create namespaces: root and a working {@code ip netns}. */
    static String unavailableReason() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "the fault suite needs root to create network namespaces (run bin/test as root)";
        }
        try {
            Process probe = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
            if (!probe.waitFor(10, TimeUnit.SECONDS) || probe.exitValue() != 0) {
                return "'ip netns' does not work here";
            }
            Process nft = new ProcessBuilder("nft", "--version").redirectErrorStream(true).start();
            if (!nft.waitFor(10, TimeUnit.SECONDS) || nft.exitValue() != 0) {
                return "nftables (nft) is missing: apt-get install nftables";
            }
        } catch (IOException e) {
            return "'ip' or 'nft' cannot run: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        return "";
    }

    NetworkLab() {
        int lab = LABS.getAndIncrement();
        this.prefix = "sp" + Integer.toHexString(0x1000 + lab % 0xefff);
        this.subnet = "10.213." + (1 + lab % 249) + ".";
        this.switchNamespace = prefix + "-sw";
        Runtime.getRuntime().addShutdownHook(cleanupOnExit);
        ip("netns", "add", switchNamespace);
        inNamespace(switchNamespace, "ip", "link", "add", "br0", "type", "bridge");
        inNamespace(switchNamespace, "ip", "link", "set", "br0", "up");
        // The observer: this JVM's own veth on the bridge, so tests can watch every host.
        ip("link", "add", prefix + "-o0", "type", "veth", "peer", "name", prefix + "-o1");
        ip("link", "set", prefix + "-o1", "netns", switchNamespace);
        inNamespace(switchNamespace, "ip", "link", "set", prefix + "-o1", "master", "br0");
        inNamespace(switchNamespace, "ip", "link", "set", prefix + "-o1", "up");
        ip("addr", "add", subnet + "254/24", "dev", prefix + "-o0");
        ip("link", "set", prefix + "-o0", "up");
    }

    Host addHost(String name) {
        String namespace = prefix + "-" + name;
        String address = subnet + nextAddress++;
        String hostEnd = prefix + "h" + hosts.size();
        String switchEnd = prefix + "s" + hosts.size();
        ip("netns", "add", namespace);
        ip("link", "add", hostEnd, "type", "veth", "peer", "name", switchEnd);
        ip("link", "set", hostEnd, "netns", namespace);
        ip("link", "set", switchEnd, "netns", switchNamespace);
        inNamespace(namespace, "ip", "link", "set", hostEnd, "name", "eth0");
        inNamespace(namespace, "ip", "addr", "add", address + "/24", "dev", "eth0");
        inNamespace(namespace, "ip", "link", "set", "eth0", "up");
        inNamespace(namespace, "ip", "link", "set", "lo", "up");
        inNamespace(switchNamespace, "ip", "link", "set", switchEnd, "master", "br0");
        inNamespace(switchNamespace, "ip", "link", "set", switchEnd, "up");
        Host host = new Host(name, namespace, address);
        hosts.put(name, host);
        return host;
    }

    String observerAddress() {
        return subnet + "254";
    }

    /** The command, run inside the host's namespace. */
    static List<String> inside(Host host, List<String> command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", host.namespace()));
        full.addAll(command);
        return full;
    }

    /** Drops traffic between {@code host} and {@code peers}: {@code outgoing} and/or {@code incoming} directions. */
    void cut(Host host, List<String> peers, boolean outgoing, boolean incoming) {
        String set = "{ " + String.join(", ", peers) + " }";
        inNamespace(host.namespace(), "nft", "add", "table", "inet", "spilo_fault");
        if (outgoing) {
            inNamespace(host.namespace(), "nft", "add", "chain", "inet", "spilo_fault", "out",
                    "{ type filter hook output priority 0 ; }");
            inNamespace(host.namespace(), "nft", "add", "rule", "inet", "spilo_fault", "out", "ip", "daddr", set, "drop");
        }
        if (incoming) {
            inNamespace(host.namespace(), "nft", "add", "chain", "inet", "spilo_fault", "in",
                    "{ type filter hook input priority 0 ; }");
            inNamespace(host.namespace(), "nft", "add", "rule", "inet", "spilo_fault", "in", "ip", "saddr", set, "drop");
        }
    }

    void heal(Host host) {
        run(List.of("ip", "netns", "exec", host.namespace(), "nft", "delete", "table", "inet", "spilo_fault"), false);
        inNamespace(host.namespace(), "ip", "link", "set", "eth0", "up");
    }

    void linkDown(Host host) {
        inNamespace(host.namespace(), "ip", "link", "set", "eth0", "down");
    }

    @Override
    public void close() {
        removeAll();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running
        }
    }

    private synchronized void removeAll() {
        for (Host host : hosts.values()) {
            run(List.of("ip", "netns", "del", host.namespace()), false);
        }
        hosts.clear();
        run(List.of("ip", "netns", "del", switchNamespace), false);
        run(List.of("ip", "link", "del", prefix + "-o0"), false);
    }

    private void inNamespace(String namespace, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(command));
        run(full, true);
    }

    private static void ip(String... arguments) {
        List<String> full = new ArrayList<>(List.of("ip"));
        full.addAll(List.of(arguments));
        run(full, true);
    }

    private static void run(List<String> command, boolean mustSucceed) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish");
            }
            if (mustSucceed && process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output.strip());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
