package io.spilo.it;

import io.spilo.process.ChildProcess;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** spilo haproxy against a real cluster and a real HAProxy, read through HAProxy's own stats socket. */
class HaproxyIT {
    private static final Duration CONVERGE = Duration.ofSeconds(90);
    private TestCluster cluster;
    private ChildProcess haproxy;

    @AfterEach
    void tearDown() {
        if (haproxy != null) {
            haproxy.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void neverTwoServersUpInThePrimaryBackendWhileAStoppedLeaderIsReplaced() throws Exception {
        int primaryPort = FreePorts.next();
        int replicaPort = FreePorts.next();
        int statsPort = FreePorts.next();
        cluster = new TestCluster("proxy", 3, "", name -> "");
        Path state = cluster.directory.resolve("haproxy");
        Path haproxyConfig = cluster.directory.resolve("haproxy.yml");
        java.nio.file.Files.writeString(haproxyConfig, java.nio.file.Files.readString(cluster.nodes.get(0).configFile)
                + "haproxy:\n  primary_port: " + primaryPort + "\n  replica_port: " + replicaPort + "\n  stats_port: " + statsPort
                + "\n  state_dir: " + state + "\n");
        AgentNode first = cluster.nodes.get(0);
        first.startAgent();
        await().atMost(CONVERGE).until(() -> first.status("/primary") == 200);
        cluster.nodes.get(1).startAgent();
        cluster.nodes.get(2).startAgent();
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                .until(() -> cluster.primaries().size() == 1 && cluster.streamingReplicas().size() == 2);
        haproxy = ChildProcess.start("spilo haproxy", AgentNode.spiloCommand("haproxy", "-c", haproxyConfig.toString()),
                cluster.directory.resolve("spilo-haproxy.log"), false);
        HaproxyStats stats = new HaproxyStats(state.resolve("haproxy.sock"));
        await("HAProxy routes to node1").atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> stats.upServers("primary").equals(List.of("node1")) && stats.upServers("replicas").size() == 2);
        assertThat(writeThrough(primaryPort, 1)).isTrue();

        ConcurrentLinkedQueue<List<String>> samples = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> unconfirmed = new ConcurrentLinkedQueue<>();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                try {
                    List<String> up = stats.upServers("primary");
                    samples.add(up);
                    // Asked right after HAProxy showed it UP: a server let in legitimately already answered 200.
                    up.stream().filter(name -> !name.equals(first.name)).filter(name -> cluster.node(name).orElseThrow()
                            .status("/primary") != 200).forEach(unconfirmed::add);
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                } catch (java.io.IOException e) {
                    // HAProxy reloading: the next sample will tell
                }
            }
        }, "stats-sampler");
        sampler.start();
        try {
            first.agent().signal("STOP");
            await("another member leads").atMost(CONVERGE).pollInterval(Duration.ofMillis(100))
                    .until(() -> cluster.primaries().stream().anyMatch(node -> node != first));
            AgentNode promoted = cluster.primaries().stream().filter(node -> node != first).findFirst().orElseThrow();
            await("HAProxy routes to " + promoted.name).atMost(CONVERGE).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> stats.upServers("primary").equals(List.of(promoted.name)));
            long[] id = {2};
            await("a write through the same port").atMost(CONVERGE).pollInterval(Duration.ofMillis(100))
                    .until(() -> writeThrough(primaryPort, id[0]++));
            first.agent().signal("CONT");
            await().atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                    .until(() -> cluster.primaries().size() == 1 && cluster.streamingReplicas().size() == 2);
            Thread.sleep(1000);
        } finally {
            first.agent().signal("CONT");
            sampling.set(false);
            sampler.join(5000);
        }
        assertThat(samples).hasSizeGreaterThan(50);
        assertThat(samples).as("UP servers in the primary backend, sampled every 20 ms").allMatch(up -> up.size() <= 1);
        assertThat(unconfirmed).as("new leaders UP in the primary backend before their GET /primary answered 200").isEmpty();
    }

    private boolean writeThrough(int port, long id) {
        java.util.Properties properties = new java.util.Properties();
        properties.setProperty("user", "postgres");
        properties.setProperty("password", AgentNode.SUPERUSER_PASSWORD);
        properties.setProperty("connectTimeout", "2");
        properties.setProperty("socketTimeout", "5");
        try (java.sql.Connection connection = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", properties);
                java.sql.Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS through_haproxy (id bigint primary key)");
            statement.execute("INSERT INTO through_haproxy VALUES (" + id + ")");
            return true;
        } catch (java.sql.SQLException e) {
            return false;
        }
    }
}
