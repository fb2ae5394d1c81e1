package io.spilo.it;

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
        this.scope = scope;
        this.directory = new TestDirectory("spilo-it-" + scope + "-");
        this.cleanupOnExit = new Thread(this::stopAll, "test-cluster-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanupOnExit);
        this.etcd = new EtcdServer(directory.path());
        for (int i = 1; i <= size; i++) {
            String name = "node" + i;
            nodes.add(new AgentNode(directory.path(), scope, name, etcd.hostPort(), dcsYaml, extraYamlByName.apply(name)));
        }
    }

    void startAll() {
        nodes.forEach(AgentNode::startAgent);
    }

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
