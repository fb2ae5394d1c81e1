package io.spilo.it;

import io.spilo.process.ChildProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** etcd plus N agents in one temporary directory; closing it stops everything by pid and removes the directory. */
final class TestCluster implements AutoCloseable {
    final TestDirectory directory;
    final EtcdServer etcd;
    final List<AgentNode> nodes = new ArrayList<>();
    final String scope;
    private final Thread cleanupOnExit;

    TestCluster(String scope, int size, String extraYaml) {
        this(scope, size, "", name -> extraYaml);
    }

    /**
     * @param dcsYaml lines added under bootstrap.dcs, each indented by four spaces
     * @param extraYamlByName top-level YAML added to one member's file (tags, ...)
     */
    TestCluster(String scope, int size, String dcsYaml, java.util.function.Function<String, String> extraYamlByName) {
        this(scope, size, dcsYaml, extraYamlByName, directory -> Optional.empty());
    }

    /** @param etcdTls etcd's TLS files, made in the cluster's directory (empty: plain HTTP) */
    TestCluster(String scope, int size, String dcsYaml, java.util.function.Function<String, String> extraYamlByName,
            java.util.function.Function<TestDirectory, Optional<EtcdServer.Tls>> etcdTls) {
        this.scope = scope;
        this.directory = new TestDirectory("spilo-it-" + scope + "-");
        this.cleanupOnExit = new Thread(this::stopAll, "test-cluster-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanupOnExit);
        this.etcd = new EtcdServer(directory.path(), etcdTls.apply(directory));
        for (int i = 1; i <= size; i++) {
            String name = "node" + i;
            nodes.add(new AgentNode(directory.path(), scope, name, etcd.hostPort(), dcsYaml, extraYamlByName.apply(name)));
        }
    }

    void startAll() {
        nodes.forEach(AgentNode::startAgent);
    }

    /** node1 first, so that it bootstraps and tests know who leads; then the others; waits until healthy. */
    AgentNode startWithNode1Leading(java.time.Duration timeout) {
        AgentNode first = nodes.get(0);
        first.startAgent();
        org.awaitility.Awaitility.await("node1 primary").atMost(timeout).pollInterval(java.time.Duration.ofMillis(200))
                .until(() -> first.status("/primary") == 200);
        nodes.subList(1, nodes.size()).forEach(AgentNode::startAgent);
        awaitHealthy(timeout);
        return first;
    }

    void awaitHealthy(java.time.Duration timeout) {
        try {
            org.awaitility.Awaitility.await("one primary, all others streaming").atMost(timeout)
                    .pollInterval(java.time.Duration.ofMillis(200))
                    .until(() -> primaries().size() == 1 && streamingReplicas().size() == nodes.size() - 1);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("not one primary and all others streaming within " + timeout.toSeconds() + " s:\n  "
                    + diagnosis(), e);
        }
    }

    /** Each member's state and last warnings, a line each (see {@link AgentNode#diagnosis}). */
    String diagnosis() {
        return String.join("\n  ", nodes.stream().map(AgentNode::diagnosis).toList());
    }

    /** The ports of a running spilo haproxy. */
    record Proxy(ChildProcess process, int primaryPort, int replicaPort, java.nio.file.Path socket) {
    }

    /** Starts spilo haproxy for this cluster (with node1's configuration) and waits until it routes to a primary. */
    Proxy startHaproxy(java.time.Duration timeout) throws java.io.IOException {
        int primaryPort = FreePorts.next();
        int replicaPort = FreePorts.next();
        java.nio.file.Path state = directory.resolve("haproxy");
        java.nio.file.Path file = directory.resolve("haproxy.yml");
        io.spilo.config.PrivateFiles.write(file, java.nio.file.Files.readString(nodes.get(0).configFile)
                + "haproxy:\n  primary_port: " + primaryPort + "\n  replica_port: " + replicaPort + "\n  stats_port: "
                + FreePorts.next() + "\n  state_dir: " + state + "\n");
        ChildProcess process = ChildProcess.start("spilo haproxy", AgentNode.spiloCommand("haproxy", "-c", file.toString()),
                directory.resolve("spilo-haproxy.log"), false);
        haproxy = process;
        HaproxyStats stats = new HaproxyStats(state.resolve("haproxy.sock"));
        org.awaitility.Awaitility.await("HAProxy routes to the primary").atMost(timeout).pollInterval(java.time.Duration.ofMillis(200))
                .ignoreExceptions().until(() -> stats.upServers("primary").size() == 1);
        return new Proxy(process, primaryPort, replicaPort, state.resolve("haproxy.sock"));
    }

    private ChildProcess haproxy;

    List<AgentNode> primaries() {
        return nodes.stream().filter(node -> node.status("/primary") == 200).toList();
    }

    List<AgentNode> streamingReplicas() {
        return nodes.stream().filter(node -> node.status("/replica") == 200
                && "streaming".equals(node.json("/patroni").path("replication_state").asText())).toList();
    }

    Optional<AgentNode> node(String name) {
        return nodes.stream().filter(node -> node.name.equals(name)).findFirst();
    }

    private void stopAll() {
        if (haproxy != null) {
            haproxy.close();
        }
        nodes.forEach(AgentNode::close);
        etcd.close();
    }

    @Override
    public void close() {
        stopAll();
        directory.close();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or has run
        }
    }
}
