package io.spilo.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.spilo.process.ChildProcess;
import io.spilo.process.Signals;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * A whole Spilo cluster on one machine: etcd (one or three members), three agents and
 * {@code spilo haproxy}, each a separate process started here and stopped here by pid.
 */
public final class Demo {
    public static final String LAYOUT_FILE = "demo.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String SCOPE = "demo";
    private static final int NODES = 3;
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

    private final Path directory;
    private final PrintWriter out;
    private final Path jar;
    private final Set<Integer> claimedPorts = new HashSet<>();

    public Demo(Path directory, PrintWriter out, Path jar) {
        this.directory = directory.toAbsolutePath().normalize();
        this.out = out;
        this.jar = jar;
    }

    /** The default demo directory: under the user's home, or a system directory when running as root (PostgreSQL must reach it). */
    public static Path defaultDirectory() {
        if ("root".equals(System.getProperty("user.name"))) {
            return Path.of("/var/lib/spilo/demo");
        }
        return Path.of(System.getProperty("user.home"), ".spilo", "demo");
    }

    public Path layoutFile() {
        return directory.resolve(LAYOUT_FILE);
    }

    /** Starts everything (or brings an earlier demo in this directory back with its data) and waits until it is healthy. */
    public DemoLayout start(int etcdMembers) throws IOException, InterruptedException {
        Optional<DemoLayout> previous = readLayout();
        if (previous.isPresent() && anythingRunning(previous.get())) {
            throw new DemoException("a demo is already running in " + directory + "; stop it with: bin/spilo demo stop --dir " + directory);
        }
        createDirectory(directory);
        createDirectory(directory.resolve("data"));
        createDirectory(directory.resolve("logs"));
        Path passfile = directory.resolve("pgpass");
        Secrets secrets = Secrets.readOrCreate(directory.resolve("secrets"), passfile);

        DemoLayout layout = previous.filter(earlier -> earlier.etcd().size() == etcdMembers || etcdMembers == 0)
                .orElseGet(() -> plan(Math.max(1, etcdMembers), passfile));
        if (previous.isPresent() && etcdMembers != 0 && previous.get().etcd().size() != etcdMembers) {
            throw new DemoException("the demo in " + directory + " has " + previous.get().etcd().size()
                    + " etcd members; start it with --etcd-members " + previous.get().etcd().size() + " or use another --dir");
        }
        if (previous.isPresent()) {
            checkPortsFree(layout);
            out.println("Bringing back the demo cluster in " + directory + " with its data.");
        }
        long startedAt = System.nanoTime();
        // The processes run a copy of the jar: rebuilding the project while the demo runs must not
        // swap classes under running JVMs.
        Files.copy(jar, runJar(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        List<DemoLayout.EtcdMember> etcd = startEtcd(layout.etcd());
        layout = new DemoLayout(layout.scope(), layout.directory(), etcd, layout.nodes(), layout.haproxy(), layout.connect());
        writeLayout(layout);
        List<DemoLayout.Node> nodes = new ArrayList<>();
        for (DemoLayout.Node node : layout.nodes()) {
            writeNodeConfig(node, layout, secrets);
            nodes.add(startAgent(node));
        }
        layout = new DemoLayout(layout.scope(), layout.directory(), etcd, nodes, layout.haproxy(), layout.connect());
        writeLayout(layout);
        DemoLayout.Haproxy haproxy = startHaproxy(layout);
        layout = new DemoLayout(layout.scope(), layout.directory(), etcd, nodes, haproxy, layout.connect());
        writeLayout(layout);
        awaitHealthy(layout, secrets);
        out.printf("Spilo demo ready in %.1f s.%n", (System.nanoTime() - startedAt) / 1e9);
        printSummary(layout);
        return layout;
    }

    /** Stops every process of the demo in this directory, by pid: HAProxy, agents, PostgreSQL, etcd. Data stays. */
    public void stop() throws IOException {
        Optional<DemoLayout> found = readLayout();
        if (found.isEmpty()) {
            throw new DemoException("no demo in " + directory + " (no " + LAYOUT_FILE + ")");
        }
        DemoLayout layout = found.get();
        stopProcess("spilo haproxy", layout.haproxy().pid(), layout.haproxy().startedAtEpochMillis(), "TERM");
        stopHaproxyLeftover(layout);
        for (DemoLayout.Node node : layout.nodes()) {
            stopProcess("agent " + node.name(), node.agentPid(), node.agentStartedAtEpochMillis(), "TERM");
        }
        for (DemoLayout.Node node : layout.nodes()) {
            stopPostgres(node);
        }
        for (DemoLayout.EtcdMember member : layout.etcd()) {
            stopProcess("etcd " + member.name(), member.pid(), member.startedAtEpochMillis(), "TERM");
        }
        out.println("Stopped the demo in " + directory + "; its data stays there (bin/spilo demo --dir " + directory + " brings it back).");
    }

    private DemoLayout plan(int etcdMembers, Path passfile) {
        List<DemoLayout.EtcdMember> etcd = new ArrayList<>();
        for (int i = 0; i < etcdMembers; i++) {
            String name = "etcd" + (i + 1);
            etcd.add(new DemoLayout.EtcdMember(name, port(2379 + 2 * i), port(2380 + 2 * i),
                    directory.resolve("etcd").resolve(name).toString(), 0, 0));
        }
        List<DemoLayout.Node> nodes = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            String name = "node" + (i + 1);
            int apiPort = port(8008 + i);
            nodes.add(new DemoLayout.Node(name, port(5432 + i), apiPort, directory.resolve(name + ".yml").toString(),
                    directory.resolve("data").resolve(name).toString(), directory.resolve("logs").resolve(name + ".log").toString(),
                    "http://127.0.0.1:" + apiPort + "/patroni", 0, 0));
        }
        int primaryPort = port(5000);
        int replicaPort = port(5001);
        int statsPort = port(7000);
        DemoLayout.Haproxy haproxy = new DemoLayout.Haproxy(primaryPort, replicaPort, statsPort,
                "http://127.0.0.1:" + statsPort + "/", directory.resolve("haproxy").toString(), 0, 0);
        DemoLayout.Connect connect = new DemoLayout.Connect(
                "PGPASSFILE=" + passfile + " psql -h 127.0.0.1 -p " + primaryPort + " -U postgres",
                "PGPASSFILE=" + passfile + " psql -h 127.0.0.1 -p " + replicaPort + " -U postgres",
                passfile.toString());
        return new DemoLayout(SCOPE, directory.toString(), etcd, nodes, haproxy, connect);
    }

    /** The preferred port if nobody listens there, else a free one; either way reported. */
    private int port(int preferred) {
        if (!claimedPorts.contains(preferred) && isFree(preferred)) {
            claimedPorts.add(preferred);
            return preferred;
        }
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int chosen = socket.getLocalPort();
                if (claimedPorts.add(chosen)) {
                    out.println("port " + preferred + " is taken; using " + chosen + " instead");
                    return chosen;
                }
            } catch (IOException e) {
                throw new DemoException("cannot find a free port: " + e.getMessage());
            }
        }
        throw new DemoException("cannot find a free port");
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void checkPortsFree(DemoLayout layout) {
        List<Integer> ports = new ArrayList<>();
        layout.etcd().forEach(member -> ports.addAll(List.of(member.clientPort(), member.peerPort())));
        layout.nodes().forEach(node -> ports.addAll(List.of(node.postgresPort(), node.apiPort())));
        ports.addAll(List.of(layout.haproxy().primaryPort(), layout.haproxy().replicaPort(), layout.haproxy().statsPort()));
        List<Integer> taken = ports.stream().filter(port -> !isFree(port)).toList();
        if (!taken.isEmpty()) {
            throw new DemoException("ports " + taken + " of the demo in " + directory + " are in use by other programs;"
                    + " stop them, or start a new demo with another --dir");
        }
    }

    private List<DemoLayout.EtcdMember> startEtcd(List<DemoLayout.EtcdMember> members) throws InterruptedException {
        StringBuilder initialCluster = new StringBuilder();
        for (DemoLayout.EtcdMember member : members) {
            if (initialCluster.length() > 0) {
                initialCluster.append(',');
            }
            initialCluster.append(member.name()).append("=http://127.0.0.1:").append(member.peerPort());
        }
        List<DemoLayout.EtcdMember> started = new ArrayList<>();
        for (DemoLayout.EtcdMember member : members) {
            String client = "http://127.0.0.1:" + member.clientPort();
            String peer = "http://127.0.0.1:" + member.peerPort();
            ChildProcess process = ChildProcess.start("etcd " + member.name(), List.of("etcd", "--name", member.name(),
                    "--data-dir", member.dataDirectory(), "--listen-client-urls", client, "--advertise-client-urls", client,
                    "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                    "--initial-cluster", initialCluster.toString(), "--initial-cluster-token", "spilo-demo",
                    "--initial-cluster-state", "new"), directory.resolve("logs").resolve(member.name() + ".log"), true);
            started.add(member.withProcess(process.pid(), startTime(process.pid())));
        }
        for (DemoLayout.EtcdMember member : started) {
            awaitHttp("etcd " + member.name(), "http://127.0.0.1:" + member.clientPort() + "/health", Duration.ofSeconds(60));
        }
        return started;
    }

    private DemoLayout.Node startAgent(DemoLayout.Node node) {
        ChildProcess process = ChildProcess.start("agent " + node.name(), javaCommand("agent", "-c", node.configFile()),
                Path.of(node.log()), true);
        return node.withProcess(process.pid(), startTime(process.pid()));
    }

    private DemoLayout.Haproxy startHaproxy(DemoLayout layout) {
        ChildProcess process = ChildProcess.start("spilo haproxy", javaCommand("haproxy", "-c", layout.nodes().get(0).configFile()),
                directory.resolve("logs").resolve("haproxy.log"), true);
        return layout.haproxy().withProcess(process.pid(), startTime(process.pid()));
    }

    private Path runJar() {
        return directory.resolve("spilo.jar");
    }

    private List<String> javaCommand(String... arguments) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-jar", runJar().toString()));
        command.addAll(List.of(arguments));
        return command;
    }

    private static long startTime(long pid) {
        return Signals.startTime(pid).map(java.time.Instant::toEpochMilli).orElse(0L);
    }

    private void writeNodeConfig(DemoLayout.Node node, DemoLayout layout, Secrets secrets) throws IOException {
        StringBuilder hosts = new StringBuilder();
        for (DemoLayout.EtcdMember member : layout.etcd()) {
            if (hosts.length() > 0) {
                hosts.append(',');
            }
            hosts.append("127.0.0.1:").append(member.clientPort());
        }
        String yaml = """
                # Written by spilo demo. A Patroni-style configuration for the etcd3 store.
                scope: %s
                name: %s
                restapi:
                  listen: 127.0.0.1:%d
                etcd3:
                  hosts: %s
                bootstrap:
                  dcs:
                    postgresql:
                      use_pg_rewind: true
                      use_slots: true
                  initdb:
                  - encoding: UTF8
                  - locale: C.UTF-8
                  - data-checksums
                postgresql:
                  listen: 127.0.0.1:%d
                  data_dir: %s
                  pgpass: %s
                  authentication:
                    superuser: {username: postgres, password: %s}
                    replication: {username: replicator, password: %s}
                  remove_data_directory_on_rewind_failure: true
                haproxy:
                  bind: 127.0.0.1
                  primary_port: %d
                  replica_port: %d
                  stats_port: %d
                  state_dir: %s
                """.formatted(layout.scope(), node.name(), node.apiPort(), hosts, node.postgresPort(), node.dataDirectory(),
                directory.resolve(node.name() + ".pgpass"), secrets.superuserPassword(), secrets.replicationPassword(),
                layout.haproxy().primaryPort(), layout.haproxy().replicaPort(), layout.haproxy().statsPort(),
                layout.haproxy().stateDirectory());
        Path file = Path.of(node.configFile());
        Files.writeString(file, yaml);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    private void awaitHealthy(DemoLayout layout, Secrets secrets) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String waitingFor = "agents";
        while (System.nanoTime() < deadline) {
            int primaries = 0;
            int replicas = 0;
            for (DemoLayout.Node node : layout.nodes()) {
                int primary = status(http, "http://127.0.0.1:" + node.apiPort() + "/primary");
                int replica = status(http, "http://127.0.0.1:" + node.apiPort() + "/replica");
                primaries += primary == 200 ? 1 : 0;
                replicas += replica == 200 ? 1 : 0;
            }
            if (primaries == 1 && replicas == NODES - 1) {
                waitingFor = "HAProxy";
                if (answers(layout.haproxy().primaryPort(), secrets, false)
                        && answers(layout.haproxy().replicaPort(), secrets, true)) {
                    return;
                }
            }
            Thread.sleep(250);
        }
        throw new DemoException("the demo cluster did not become healthy within " + READY_TIMEOUT.toSeconds()
                + " s (waiting for " + waitingFor + "); see the logs in " + directory.resolve("logs")
                + " and stop it with: bin/spilo demo stop --dir " + directory);
    }

    /** Whether a SQL client gets through this HAProxy port to a server of the expected kind. */
    private static boolean answers(int port, Secrets secrets, boolean expectStandby) {
        Properties properties = new Properties();
        properties.setProperty("user", "postgres");
        properties.setProperty("password", secrets.superuserPassword());
        properties.setProperty("connectTimeout", "2");
        properties.setProperty("socketTimeout", "5");
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", properties);
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT pg_is_in_recovery()")) {
            return row.next() && row.getBoolean(1) == expectStandby;
        } catch (SQLException e) {
            return false;
        }
    }

    private static int status(HttpClient http, String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void awaitHttp(String what, String url, Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (status(http, url) == 200) {
                return;
            }
            Thread.sleep(200);
        }
        throw new DemoException(what + " did not become healthy within " + timeout.toSeconds() + " s (" + url + ")");
    }

    private void printSummary(DemoLayout layout) {
        out.println();
        out.println("Connect (password in " + layout.connect().passfile() + "):");
        out.println("  primary (read-write):  " + layout.connect().primary());
        out.println("  replicas (read-only):  " + layout.connect().replicas());
        out.println("REST API of each member:");
        for (DemoLayout.Node node : layout.nodes()) {
            out.println("  " + node.name() + ": " + node.restUrl() + "   (PostgreSQL on 127.0.0.1:" + node.postgresPort()
                    + ", log " + node.log() + ")");
        }
        out.println("HAProxy stats page:     " + layout.haproxy().statsUrl());
        out.println("Everything about this demo: " + layoutFile());
        out.flush();
    }

    private boolean anythingRunning(DemoLayout layout) {
        boolean running = Signals.isSameProcess(layout.haproxy().pid(), layout.haproxy().startedAtEpochMillis());
        for (DemoLayout.Node node : layout.nodes()) {
            running |= Signals.isSameProcess(node.agentPid(), node.agentStartedAtEpochMillis());
        }
        for (DemoLayout.EtcdMember member : layout.etcd()) {
            running |= Signals.isSameProcess(member.pid(), member.startedAtEpochMillis());
        }
        return running;
    }

    private void stopProcess(String what, long pid, long startedAt, String signal) {
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
    private void stopHaproxyLeftover(DemoLayout layout) {
        Path pidFile = Path.of(layout.haproxy().stateDirectory()).resolve("haproxy.pid");
        readPid(pidFile).filter(pid -> isCommand(pid, "haproxy")).ifPresent(pid -> {
            Signals.send(pid, "TERM");
            waitForExit(pid, Duration.ofSeconds(10));
        });
    }

    private void stopPostgres(DemoLayout.Node node) {
        readPid(Path.of(node.dataDirectory()).resolve("postmaster.pid")).filter(pid -> isCommand(pid, "postgres")).ifPresent(pid -> {
            Signals.send(pid, "INT");
            if (!waitForExit(pid, Duration.ofSeconds(60))) {
                Signals.send(pid, "QUIT");
                waitForExit(pid, Duration.ofSeconds(10));
            }
        });
    }

    private static boolean isCommand(long pid, String program) {
        return ProcessHandle.of(pid).flatMap(handle -> handle.info().command())
                .map(command -> command.endsWith("/" + program) || command.equals(program)).orElse(false);
    }

    private static Optional<Long> readPid(Path file) {
        try {
            String first = Files.readAllLines(file).get(0).strip();
            return Optional.of(Long.parseLong(first));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static boolean waitForExit(long pid, Duration timeout) {
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

    private Optional<DemoLayout> readLayout() throws IOException {
        Path file = layoutFile();
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Optional.of(JSON.readValue(file.toFile(), DemoLayout.class));
    }

    private void writeLayout(DemoLayout layout) throws IOException {
        Path temporary = directory.resolve(LAYOUT_FILE + ".tmp");
        JSON.writeValue(temporary.toFile(), layout);
        Files.move(temporary, layoutFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void createDirectory(Path path) throws IOException {
        Files.createDirectories(path);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** The demo's passwords: generated once, kept in a file only the owner reads, and a pgpass file for psql. */
    record Secrets(String superuserPassword, String replicationPassword) {
        static Secrets readOrCreate(Path file, Path passfile) throws IOException {
            Secrets secrets;
            if (Files.exists(file)) {
                List<String> lines = Files.readAllLines(file);
                secrets = new Secrets(lines.get(0).strip(), lines.get(1).strip());
            } else {
                SecureRandom random = new SecureRandom();
                byte[] one = new byte[12];
                byte[] two = new byte[12];
                random.nextBytes(one);
                random.nextBytes(two);
                secrets = new Secrets(HexFormat.of().formatHex(one), HexFormat.of().formatHex(two));
                Files.writeString(file, secrets.superuserPassword() + "\n" + secrets.replicationPassword() + "\n");
            }
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            Files.writeString(passfile, "*:*:*:postgres:" + secrets.superuserPassword() + "\n");
            Files.setPosixFilePermissions(passfile, PosixFilePermissions.fromString("rw-------"));
            return secrets;
        }

        @Override
        public String toString() {
            return "Secrets[***]";
        }
    }
}
