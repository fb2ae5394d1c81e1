package io.spilo.it;

import io.spilo.process.ChildProcess;
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
import java.util.Properties;
import org.awaitility.Awaitility;

/** Three etcd members, three Spilo members, and a client host with spilo haproxy and a writer, each in its own namespace. */
final class FaultCluster implements AutoCloseable {
    static final Duration CONVERGE = Duration.ofSeconds(120);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    final NetworkLab lab = new NetworkLab();
    final TestDirectory directory;
    final List<NetworkLab.Host> etcdHosts = new ArrayList<>();
    final List<ChildProcess> etcd = new ArrayList<>();
    final List<AgentNode> members = new ArrayList<>();
    final NetworkLab.Host client;
    /** The long-lived (pooled) writer through HAProxy: the log the benchmark and the report lead with. */
    final Path writerLog;
    /** Every writer's log by name: pooled and reconnecting through HAProxy, one direct writer per member. */
    final java.util.Map<String, Path> writerLogs = new java.util.LinkedHashMap<>();
    private final List<ChildProcess> otherWriters = new ArrayList<>();
    private ChildProcess haproxy;
    private ChildProcess writer;
    private int etcdStarts;
    /** The cluster's live timing. The agents' files say Patroni's 30/10/10: only the live config may decide (issue 11). */
    private final io.spilo.config.TimingSettings timing;
    private final String scope;
    private final boolean synchronous;
    private final boolean failsafe;
    private final Governor governor;

    FaultCluster(String scope, boolean synchronous) throws IOException {
        this(scope, synchronous, new io.spilo.config.TimingSettings(10, 2, 3));
    }

    /** Seconds from the first agent's start to one primary and all replicas streaming. */
    double bootstrapSeconds;

    FaultCluster(String scope, boolean synchronous, io.spilo.config.TimingSettings timing) throws IOException {
        this(scope, synchronous, timing, false);
    }

    /** With {@code failsafe}, the live config turns on failsafe_mode (issue 13). */
    FaultCluster(String scope, boolean synchronous, io.spilo.config.TimingSettings timing, boolean failsafe) throws IOException {
        this(scope, synchronous, timing, failsafe, Governor.SPILO);
    }

    /** Asynchronous replication, members governed by {@code governor} (the side-by-side benchmark). */
    FaultCluster(String scope, io.spilo.config.TimingSettings timing, Governor governor) throws IOException {
        this(scope, false, timing, false, governor);
    }

    private FaultCluster(String scope, boolean synchronous, io.spilo.config.TimingSettings timing, boolean failsafe,
            Governor governor) throws IOException {
        this.governor = governor;
        this.failsafe = failsafe;
        this.timing = timing;
        this.scope = scope;
        this.synchronous = synchronous;
        directory = new TestDirectory("spilo-it-fault-" + scope + "-");
        try {
            for (int i = 1; i <= 3; i++) {
                etcdHosts.add(lab.addHost("etcd" + i));
            }
            client = lab.addHost("client");
            for (int i = 1; i <= 3; i++) {
                NetworkLab.Host host = lab.addHost("node" + i);
                String name = "node" + i;
                members.add(new AgentNode(directory.path(), name, host,
                        node -> yaml(scope, name, host, node, synchronous)).governedBy(governor));
            }
            writerLog = directory.resolve("writer.log");
        } catch (RuntimeException e) {
            lab.close();
            directory.close();
            throw e;
        }
    }

    private String yaml(String scope, String name, NetworkLab.Host host, AgentNode node, boolean synchronous) {
        Map<String, Object> parameters = new HashMap<>(Map.of("shared_buffers", "16MB"));
        if (governor == Governor.PATRONI) {
            parameters.put("unix_socket_directories", node.memberDirectory().resolve("sockets").toString());
            parameters.put("spilo.member", name); // the writers' way to tell members apart (WriterMain.MEMBER)
        }
        io.spilo.config.AgentYaml yaml = io.spilo.config.AgentYaml.member(scope, name)
                .restApi(host.address() + ":8008")
                .etcdHosts(etcdHostList())
                // Spilo's files say Patroni's timing and the live config decides (issue 11); Patroni
                // rewrites the live config from its file after bootstrap, so its file says the run's timing.
                .timing(governor == Governor.PATRONI ? timing : io.spilo.config.TimingSettings.PATRONI_DEFAULTS)
                .dcs("synchronous_mode", synchronous)
                .postgres(host.address() + ":5432", node.dataDirectory.toString(), AgentNode.SUPERUSER_PASSWORD, "fault-repl")
                .postgresSetting("parameters", parameters)
                .postgresSetting("remove_data_directory_on_rewind_failure", true)
                .section("haproxy", java.util.Map.of("bind", client.address(), "state_dir", directory.resolve("haproxy").toString()));
        governor.postgresqlExtras(host.address(), node.memberDirectory()).forEach(yaml::postgresSetting);
        if (governor == Governor.PATRONI) {
            yaml.merge("restapi:\n  connect_address: " + host.address() + ":8008\n");
        }
        return yaml.render();
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
        ChildProcess process = ChildProcess.start("etcd " + host.name(), NetworkLab.inside(host, List.of("etcd", "--name", host.name(),
                "--data-dir", directory.resolve(host.name()).toString(), "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", initialCluster,
                "--initial-cluster-state", "new", "--initial-cluster-token", "spilo-fault")),
                directory.resolve(host.name() + "." + (++etcdStarts) + ".log"), false);
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
        writeLiveConfig();
        long started = System.nanoTime();
        members.get(0).startAgent();
        Awaitility.await("node1 primary").atMost(CONVERGE).pollInterval(Duration.ofMillis(100))
                .until(() -> members.get(0).status("/primary") == 200);
        members.get(1).startAgent();
        members.get(2).startAgent();
        Awaitility.await("one primary and all replicas streaming").atMost(CONVERGE).pollInterval(Duration.ofMillis(100))
                .until(this::isHealthy);
        bootstrapSeconds = (System.nanoTime() - started) / 1e9;
        haproxy = ChildProcess.start("spilo haproxy", NetworkLab.inside(client, AgentNode.spiloCommand("haproxy", "-c",
                members.get(0).configFile.toString())), directory.resolve("spilo-haproxy.log"), false);
        Awaitility.await("writes through HAProxy").atMost(CONVERGE).pollInterval(Duration.ofMillis(300))
                .until(() -> canWrite(client.address(), 5000));
        String classpath = Path.of("target", "test-classes").toAbsolutePath() + ":" + Path.of(System.getProperty("spilo.jar", "target/spilo.jar")).toAbsolutePath();
        writer = startWriter(classpath, "pooled", client.address(), 5000, 1, "pooled");
        writerLogs.put("pooled via HAProxy", writerLog);
        Awaitility.await("the writer writes").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                .until(() -> Files.exists(writerLog) && Files.readString(writerLog).contains("ok "));
        otherWriters.add(startWriter(classpath, "reconnecting", client.address(), 5000, 1_000_000_000L, "reconnecting"));
        writerLogs.put("reconnecting via HAProxy", directory.resolve("writer-reconnecting.log"));
        for (int i = 0; i < members.size(); i++) {
            AgentNode member = members.get(i);
            otherWriters.add(startWriter(classpath, "direct-" + member.name, member.address, 5432, (2L + i) * 1_000_000_000L,
                    "direct"));
            writerLogs.put("direct to " + member.name, directory.resolve("writer-direct-" + member.name + ".log"));
        }
    }

    /** A WriterMain in the client's namespace; its log is writer.log for the pooled one, writer-NAME.log otherwise. */
    private ChildProcess startWriter(String classpath, String name, String host, int port, long firstId, String mode) {
        Path log = name.equals("pooled") ? writerLog : directory.resolve("writer-" + name + ".log");
        return ChildProcess.start("writer " + name, NetworkLab.inside(client, List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx48m", "-XX:+UseSerialGC", "-cp", classpath,
                "io.spilo.it.WriterMain", host, Integer.toString(port), log.toString(), AgentNode.SUPERUSER_PASSWORD,
                Long.toString(firstId), mode)), directory.resolve("writer-" + name + ".out"), false);
    }

    /**
     * The cluster's config key, written before any agent starts: the bootstrapping member keeps it
     * (it creates config only if absent), so the cluster runs by it and never by the files' timing.
     */
    private void writeLiveConfig() {
        putConfig("{\"ttl\":" + timing.ttlSeconds() + ",\"loop_wait\":" + timing.loopWaitSeconds() + ",\"retry_timeout\":"
                + timing.retryTimeoutSeconds() + ",\"synchronous_mode\":" + synchronous + (failsafe ? ",\"failsafe_mode\":true" : "") + "}");
    }

    /** Restores the cluster's config key to the suite's live timing. */
    void restoreLiveConfig() {
        writeLiveConfig();
    }

    /** An operator's bad edit written straight into etcd: ttl is not a number. */
    void breakConfig() {
        putConfig("{\"ttl\":\"soon\",\"loop_wait\":" + timing.loopWaitSeconds() + ",\"retry_timeout\":"
                + timing.retryTimeoutSeconds() + ",\"synchronous_mode\":" + synchronous + "}");
    }

    /** Writes the config key as it is given (no validation on the way). */
    private void putConfig(String json) {
        io.spilo.process.ProcessResult result = io.spilo.process.ProcessRunner.asCurrentUser().run(List.of("etcdctl",
                "--endpoints", "http://" + etcdHosts.get(0).address() + ":2379", "put", "/service/" + scope + "/config", json),
                java.util.Map.of("ETCDCTL_API", "3"), Duration.ofSeconds(20));
        if (!result.succeeded()) {
            throw new IllegalStateException("etcdctl put of the cluster config failed: " + result.tail());
        }
    }

    List<AgentNode> primaries() {
        return members.stream().filter(member -> member.status("/primary") == 200).toList();
    }

    AgentNode primary() {
        Awaitility.await("a primary").atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).until(() -> primaries().size() == 1);
        return primaries().get(0);
    }

    boolean isHealthy() {
        if (governor == Governor.PATRONI) {
            // Patroni 3.0.2's /patroni has no replication_state: ask the primary.
            List<AgentNode> primaries = primaries();
            return primaries.size() == 1 && streamingStandbys(primaries.get(0)) == members.size() - 1;
        }
        long streaming = members.stream().filter(member -> member.status("/replica") == 200
                && "streaming".equals(member.json("/patroni").path("replication_state").asText())).count();
        return primaries().size() == 1 && streaming == members.size() - 1;
    }

    void awaitHealthy() {
        Awaitility.await("one primary and all replicas streaming").atMost(CONVERGE).pollInterval(Duration.ofMillis(300))
                .until(this::isHealthy);
    }

    private static long streamingStandbys(AgentNode primary) {
        try (Connection connection = connect(primary.address, 5432); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")) {
            return result.next() ? result.getLong(1) : 0;
        } catch (SQLException e) {
            return 0;
        }
    }

    /** Every id on the primary, with the member that wrote it. */
    Map<Long, String> storedRows(AgentNode member) throws SQLException {
        Map<Long, String> rows = new HashMap<>();
        try (Connection connection = connect(member.address, 5432); Statement statement = connection.createStatement();
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
        otherWriters.forEach(ChildProcess::close);
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
            lab.heal(member.host());
            member.close();
        });
        etcd.forEach(process -> {
            process.signal("CONT");
            process.close();
        });
        lab.close();
        directory.close();
    }
}
