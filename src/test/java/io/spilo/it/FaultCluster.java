package io.spilo.it;

import io.spilo.process.Signals;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.awaitility.Awaitility;

/** Three etcd members, three Spilo members, and a client host with spilo haproxy and a writer, each in its own namespace. */
final class FaultCluster implements AutoCloseable {
    static final Duration CONVERGE = Duration.ofSeconds(120);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    final NetworkLab lab = new NetworkLab();
    final TestDirectory directory;
    final List<NetworkLab.Host> etcdHosts = new ArrayList<>();
    final List<ManagedProcess> etcd = new ArrayList<>();
    final List<Member> members = new ArrayList<>();
    final NetworkLab.Host client;
    final Path writerLog;
    private ManagedProcess haproxy;
    private ManagedProcess writer;
    private int etcdStarts;
    private final io.spilo.config.TimingSettings timing;

    final class Member {
        final String name;
        final NetworkLab.Host host;
        final Path config;
        final Path data;
        ManagedProcess agent;
        private int starts;

        Member(String name, NetworkLab.Host host, Path config, Path data) {
            this.name = name;
            this.host = host;
            this.config = config;
            this.data = data;
        }

        void startAgent() {
            starts++;
            agent = ManagedProcess.start("agent " + name, NetworkLab.inside(host, AgentNode.spiloCommand("agent", "-c", config.toString())),
                    directory.resolve(name + ".agent." + starts + ".log"));
        }

        int status(String path) {
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + host.address() + ":8008" + path))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }

        JsonNode json(String path) {
            try {
                return new ObjectMapper().readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://" + host.address() + ":8008" + path))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body());
            } catch (IOException e) {
                return new ObjectMapper().createObjectNode();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new ObjectMapper().createObjectNode();
            }
        }

        Optional<Long> postmasterPid() {
            try {
                long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).strip());
                return Signals.isAlive(pid) ? Optional.of(pid) : Optional.empty();
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }

        void killAgentAndPostgres() throws InterruptedException {
            Optional<Long> postmaster = postmasterPid();
            if (agent != null && agent.isAlive()) {
                agent.signal("KILL");
                agent.waitFor(Duration.ofSeconds(10));
            }
            postmaster.ifPresent(pid -> Signals.send(pid, "KILL"));
        }

        void stopAll() {
            if (agent != null) {
                agent.close();
            }
            postmasterPid().ifPresent(pid -> {
                Signals.send(pid, "CONT");
                Signals.send(pid, "INT");
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (Signals.isAlive(pid) && System.nanoTime() < deadline) {
                    sleep(100);
                }
                if (Signals.isAlive(pid)) {
                    Signals.send(pid, "KILL");
                }
            });
        }

        @Override
        public String toString() {
            return name;
        }
    }

    FaultCluster(String scope, boolean synchronous) throws IOException {
        this(scope, synchronous, new io.spilo.config.TimingSettings(10, 2, 3));
    }

    /** Seconds from the first agent's start to one primary and all replicas streaming. */
    double bootstrapSeconds;

    FaultCluster(String scope, boolean synchronous, io.spilo.config.TimingSettings timing) throws IOException {
        this.timing = timing;
        directory = new TestDirectory("spilo-it-fault-" + scope + "-");
        try {
            for (int i = 1; i <= 3; i++) {
                etcdHosts.add(lab.addHost("etcd" + i));
            }
            client = lab.addHost("client");
            for (int i = 1; i <= 3; i++) {
                NetworkLab.Host host = lab.addHost("node" + i);
                Path data = directory.resolve("data").resolve("node" + i);
                Files.createDirectories(data.getParent());
                Path config = directory.resolve("node" + i + ".yml");
                Files.writeString(config, yaml(scope, "node" + i, host, data, synchronous));
                members.add(new Member("node" + i, host, config, data));
            }
            writerLog = directory.resolve("writer.log");
        } catch (IOException | RuntimeException e) {
            lab.close();
            directory.close();
            throw e;
        }
    }

    private String yaml(String scope, String name, NetworkLab.Host host, Path data, boolean synchronous) {
        return """
                scope: %s
                name: %s
                restapi:
                  listen: %s:8008
                etcd3:
                  hosts: %s
                bootstrap:
                  dcs:
                    ttl: %d
                    loop_wait: %d
                    retry_timeout: %d
                    synchronous_mode: %s
                postgresql:
                  listen: %s:5432
                  data_dir: %s
                  parameters:
                    shared_buffers: 16MB
                  authentication:
                    superuser: {username: postgres, password: %s}
                    replication: {username: replicator, password: fault-repl}
                  remove_data_directory_on_rewind_failure: true
                haproxy:
                  bind: %s
                  state_dir: %s
                """.formatted(scope, name, host.address(), etcdHostList(), timing.ttlSeconds(), timing.loopWaitSeconds(),
                timing.retryTimeoutSeconds(), synchronous, host.address(), data,
                AgentNode.SUPERUSER_PASSWORD, client.address(), directory.resolve("haproxy"));
    }

    String etcdHostList() {
        return String.join(",", etcdHosts.stream().map(host -> host.address() + ":2379").toList());
    }

    List<String> etcdAddresses() {
        return etcdHosts.stream().map(NetworkLab.Host::address).toList();
    }

    void startEtcd(int index) {
        String initialCluster = String.join(",", etcdHosts.stream().map(host -> host.name() + "=http://" + host.address() + ":2380").toList());
        NetworkLab.Host host = etcdHosts.get(index);
        String client = "http://" + host.address() + ":2379";
        String peer = "http://" + host.address() + ":2380";
        ManagedProcess process = ManagedProcess.start("etcd " + host.name(), NetworkLab.inside(host, List.of("etcd", "--name", host.name(),
                "--data-dir", directory.resolve(host.name()).toString(), "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", initialCluster,
                "--initial-cluster-state", "new", "--initial-cluster-token", "spilo-fault")),
                directory.resolve(host.name() + "." + (++etcdStarts) + ".log"));
        if (etcd.size() > index) {
            etcd.set(index, process);
        } else {
            etcd.add(process);
        }
    }

    void start() throws IOException {
        for (int i = 0; i < 3; i++) {
            startEtcd(i);
        }
        Awaitility.await("etcd cluster healthy").atMost(CONVERGE).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
                .until(() -> etcdHosts.stream().allMatch(host -> httpBody("http://" + host.address() + ":2379/health").contains("true")));
        long started = System.nanoTime();
        members.get(0).startAgent();
        Awaitility.await("node1 primary").atMost(CONVERGE).pollInterval(Duration.ofMillis(100))
                .until(() -> members.get(0).status("/primary") == 200);
        members.get(1).startAgent();
        members.get(2).startAgent();
        Awaitility.await("one primary and all replicas streaming").atMost(CONVERGE).pollInterval(Duration.ofMillis(100))
                .until(this::isHealthy);
        bootstrapSeconds = (System.nanoTime() - started) / 1e9;
        haproxy = ManagedProcess.start("spilo haproxy", NetworkLab.inside(client, AgentNode.spiloCommand("haproxy", "-c",
                members.get(0).config.toString())), directory.resolve("spilo-haproxy.log"));
        Awaitility.await("writes through HAProxy").atMost(CONVERGE).pollInterval(Duration.ofMillis(300))
                .until(() -> canWrite(client.address(), 5000));
        String classpath = Path.of("target", "test-classes").toAbsolutePath() + ":" + Path.of(System.getProperty("spilo.jar", "target/spilo.jar")).toAbsolutePath();
        writer = ManagedProcess.start("writer", NetworkLab.inside(client, List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", classpath, "io.spilo.it.WriterMain", client.address(), "5000", writerLog.toString(),
                AgentNode.SUPERUSER_PASSWORD)), directory.resolve("writer.out"));
        Awaitility.await("the writer writes").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                .until(() -> Files.exists(writerLog) && Files.readString(writerLog).contains("ok "));
    }

    List<Member> primaries() {
        return members.stream().filter(member -> member.status("/primary") == 200).toList();
    }

    Member primary() {
        Awaitility.await("a primary").atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).until(() -> primaries().size() == 1);
        return primaries().get(0);
    }

    boolean isHealthy() {
        long streaming = members.stream().filter(member -> member.status("/replica") == 200
                && "streaming".equals(member.json("/patroni").path("replication_state").asText())).count();
        return primaries().size() == 1 && streaming == members.size() - 1;
    }

    void awaitHealthy() {
        Awaitility.await("one primary and all replicas streaming").atMost(CONVERGE).pollInterval(Duration.ofMillis(300))
                .until(this::isHealthy);
    }

    /** Every id on the primary, with the member that wrote it. */
    Map<Long, String> storedRows(Member member) throws SQLException {
        Map<Long, String> rows = new HashMap<>();
        try (Connection connection = connect(member.host.address(), 5432); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT id, server FROM fault_writes")) {
            while (result.next()) {
                rows.put(result.getLong(1), result.getString(2));
            }
        }
        return rows;
    }

    void stopWriter() {
        if (writer != null) {
            writer.close();
        }
    }

    private static boolean canWrite(String host, int port) {
        try (Connection connection = connect(host, port); Statement statement = connection.createStatement()) {
            statement.execute("SELECT 1");
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    static Connection connect(String host, int port) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", "postgres");
        properties.setProperty("password", AgentNode.SUPERUSER_PASSWORD);
        properties.setProperty("connectTimeout", "2");
        properties.setProperty("socketTimeout", "10");
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/postgres", properties);
    }

    private static String httpBody(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stopWriter();
        if (haproxy != null) {
            haproxy.close();
        }
        members.forEach(member -> {
            lab.heal(member.host);
            member.stopAll();
        });
        etcd.forEach(process -> {
            process.signal("CONT");
            process.close();
        });
        lab.close();
        directory.close();
    }
}
