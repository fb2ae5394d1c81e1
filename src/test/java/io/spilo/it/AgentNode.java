package io.spilo.it;

import io.spilo.process.ChildProcess;
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
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One member of a test cluster: its configuration, its agent process, and its PostgreSQL by pid. */
final class AgentNode implements AutoCloseable {
    static final String SUPERUSER_PASSWORD = "it-super-secret";
    static final String REPLICATION_PASSWORD = "it-repl-secret";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final String name;
    /** Where its REST API and PostgreSQL listen: 127.0.0.1 on loopback, the host's address in a namespace. */
    final String address;
    final int postgresPort;
    final int apiPort;
    final Path dataDirectory;
    final Path configFile;
    /** The network namespace it runs in, for the fault suite; empty on loopback. */
    private final Optional<NetworkLab.Host> namespace;
    private final Path directory;
    private ChildProcess agent;
    private int starts;
    private Governor governor = Governor.SPILO;
    /** How the test calls this member's REST API: plain HTTP unless {@link #callOverTls} was used. */
    private HttpClient http = HTTP;
    private String scheme = "http";

    /** The member's REST API speaks HTTPS: call it with these client files from now on. */
    void callOverTls(io.spilo.config.TlsSettings client) {
        http = io.spilo.tls.RestClients.create(client, Duration.ofSeconds(2));
        scheme = "https";
    }

    /** A member on loopback with free ports of its own. */
    AgentNode(Path directory, String scope, String name, String etcdHostPort, String dcsYaml, String extraYaml) {
        this(directory, name, "127.0.0.1", FreePorts.next(), FreePorts.next(), Optional.empty());
        String yaml = io.spilo.config.AgentYaml.member(scope, name)
                .restApi("127.0.0.1:" + apiPort)
                .etcdHosts(etcdHostPort)
                .timing(new io.spilo.config.TimingSettings(10, 2, 3))
                .dcs("maximum_lag_on_failover", 1048576)
                .dcs("postgresql", java.util.Map.of("use_slots", true, "parameters", java.util.Map.of("max_connections", 50)))
                .initdb(java.util.Map.of("encoding", "UTF8"), "data-checksums")
                .postgres("127.0.0.1:" + postgresPort, dataDirectory.toString(), SUPERUSER_PASSWORD, REPLICATION_PASSWORD)
                .postgresSetting("parameters", java.util.Map.of("shared_buffers", "16MB"))
                .merge(dcsYaml.isBlank() ? "" : "bootstrap:\n  dcs:\n" + dcsYaml)
                .merge(extraYaml)
                .render();
        writeConfig(yaml);
    }

    /** A member in its own network namespace, on the standard ports of its host's address. */
    AgentNode(Path directory, String name, NetworkLab.Host host, java.util.function.Function<AgentNode, String> yaml) {
        this(directory, name, host.address(), 5432, 8008, Optional.of(host));
        writeConfig(yaml.apply(this));
    }

    private AgentNode(Path directory, String name, String address, int postgresPort, int apiPort,
            Optional<NetworkLab.Host> namespace) {
        this.directory = directory;
        this.name = name;
        this.address = address;
        this.postgresPort = postgresPort;
        this.apiPort = apiPort;
        this.namespace = namespace;
        this.dataDirectory = directory.resolve("data").resolve(name);
        this.configFile = directory.resolve(name + ".yml");
    }

    private void writeConfig(String yaml) {
        try {
            Files.createDirectories(dataDirectory.getParent());
            dataDirectory.getParent().toFile().setExecutable(true, false);
            dataDirectory.getParent().toFile().setReadable(true, false);
            io.spilo.config.PrivateFiles.write(configFile, yaml); // it holds the passwords
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + configFile + ": " + e.getMessage(), e);
        }
    }

    /** The namespace host this member runs in (fault suite only). */
    NetworkLab.Host host() {
        return namespace.orElseThrow(() -> new IllegalStateException(name + " runs on loopback, not in a namespace"));
    }

    /**
     * The agent's temporary files go to the test's directory: an agent killed while a tool runs
     * leaves its output file there, and the directory goes with the test.
     */
    static List<String> agentCommand(Path configFile) {
        Path temporary = configFile.toAbsolutePath().getParent().resolve("tmp");
        try {
            Files.createDirectories(temporary);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + temporary + ": " + e.getMessage(), e);
        }
        List<String> command = new java.util.ArrayList<>(spiloCommand("agent", "-c", configFile.toString()));
        command.add(command.indexOf("-jar"), "-Djava.io.tmpdir=" + temporary);
        return command;
    }

    /** The built jar, run as users run it (bin/spilo's JVM options). */
    static List<String> spiloCommand(String... arguments) {
        String jar = System.getProperty("spilo.jar", "target/spilo.jar");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java));
        command.addAll(io.spilo.process.JvmOptions.forJar(Path.of(jar), Map.of()));
        command.addAll(List.of("-jar", jar));
        command.addAll(List.of(arguments));
        return command;
    }

    /** From now on this member is governed by {@code governor} (Spilo unless told). */
    AgentNode governedBy(Governor governor) {
        this.governor = governor;
        return this;
    }

    /** Where Patroni keeps its own files (pgpass, sockets) for this member. */
    Path memberDirectory() {
        return directory.resolve(name + ".files");
    }

    void startAgent() {
        starts++;
        try {
            governor.prepare(configFile, dataDirectory, memberDirectory());
        } catch (IOException e) {
            throw new IllegalStateException("cannot prepare " + name + " for " + governor + ": " + e.getMessage(), e);
        }
        List<String> command = governor.command(configFile);
        agent = ChildProcess.start("agent " + name, namespace.map(host -> NetworkLab.inside(host, command)).orElse(command),
                directory.resolve(name + ".agent." + starts + ".log"), false);
    }

    ChildProcess agent() {
        return agent;
    }

    /** The pid in postmaster.pid, if that process is alive. */
    Optional<Long> postmasterPid() {
        return io.spilo.postgres.PostmasterPidFile.recordedPid(dataDirectory).filter(Signals::isAlive);
    }

    int status(String path) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(scheme + "://" + address + ":" + apiPort + path))
                    .timeout(Duration.ofSeconds(3)).GET().build();
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Any call, for tests that look at what comes back whatever it is: "status body", or the error. */
    String call(String method, String path, String body) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(scheme + "://" + address + ":" + apiPort + path))
                    .timeout(Duration.ofSeconds(3)).method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body)).build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() + " " + response.body();
        } catch (IOException e) {
            return "no answer: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    JsonNode json(String path) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(scheme + "://" + address + ":" + apiPort + path))
                    .timeout(Duration.ofSeconds(3)).GET().build();
            return new ObjectMapper().readTree(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
        } catch (IOException e) {
            return new ObjectMapper().createObjectNode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ObjectMapper().createObjectNode();
        }
    }

    /**
     * One line on where this member stands and why: its /patroni state, and the last warnings of its
     * newest agent log. For assertion messages, which the build prints in full where long test
     * output is cut and the test directory is gone.
     */
    String diagnosis() {
        JsonNode status = json("/patroni");
        StringBuilder text = new StringBuilder(name).append(": ").append(status.isEmpty() ? "REST API silent"
                : status.path("state").asText() + " " + status.path("role").asText() + " TL " + status.path("timeline").asText()
                        + " " + status.path("replication_state").asText());
        Path log = directory.resolve(name + ".agent." + starts + ".log");
        try {
            List<String> warnings = Files.readAllLines(log).stream().filter(line -> line.contains(" WARN ") || line.contains(" ERROR "))
                    .toList();
            warnings.subList(Math.max(0, warnings.size() - 3), warnings.size())
                    .forEach(line -> text.append(" | ").append(line.length() > 300 ? line.substring(0, 300) : line));
        } catch (IOException e) {
            text.append(" | no agent log (").append(e.getMessage()).append(")");
        }
        return text.toString();
    }

    Connection connect() throws SQLException {
        java.util.Properties properties = new java.util.Properties();
        properties.setProperty("user", "postgres");
        properties.setProperty("password", SUPERUSER_PASSWORD);
        properties.setProperty("connectTimeout", "3");
        properties.setProperty("socketTimeout", "10");
        return DriverManager.getConnection("jdbc:postgresql://" + address + ":" + postgresPort + "/postgres", properties);
    }

    /** Whether this member's PostgreSQL accepts a connection now (false once it is stopped or fenced). */
    boolean acceptsConnections() {
        try (Connection connection = connect()) {
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    /** Inserts one row; true when the commit was acknowledged. The table is created on first use. */
    boolean tryInsert(long id) {
        try (Connection connection = connect(); java.sql.Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS spilo_writes (id bigint primary key, written_on text)");
            statement.execute("INSERT INTO spilo_writes VALUES (" + id + ", '" + name + "')");
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    /** Whether row {@code id} is visible here (false also when the server does not answer). */
    boolean hasRow(long id) {
        try (Connection connection = connect(); java.sql.Statement statement = connection.createStatement();
                java.sql.ResultSet rows = statement.executeQuery("SELECT 1 FROM spilo_writes WHERE id = " + id)) {
            return rows.next();
        } catch (SQLException e) {
            return false;
        }
    }

    /** Whether this PostgreSQL answers and is in recovery (a read-only standby). */
    boolean isReadableStandby() {
        try (Connection connection = connect(); java.sql.Statement statement = connection.createStatement();
                java.sql.ResultSet row = statement.executeQuery("SELECT pg_is_in_recovery()")) {
            return row.next() && row.getBoolean(1);
        } catch (SQLException e) {
            return false;
        }
    }

    int timeline() {
        return json("/patroni").path("timeline").asInt(0);
    }

    /** Stops this member's PostgreSQL by pid (fast shutdown) and waits for it. */
    void stopPostgres() {
        postmasterPid().ifPresent(pid -> {
            Signals.send(pid, "INT");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (Signals.isAlive(pid) && System.nanoTime() < deadline) {
                sleepQuietly(100);
            }
        });
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Resident memory of the agent JVM in KiB, from /proc. */
    long agentResidentKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(agent.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS for pid " + agent.pid());
    }

    /** kill -9 of the whole node: the agent, then the postmaster. */
    void killAgentAndPostgres() throws InterruptedException {
        Optional<Long> postmaster = postmasterPid();
        if (agent != null && agent.isAlive()) {
            agent.signal("KILL");
            agent.waitFor(Duration.ofSeconds(10));
        }
        postmaster.ifPresent(pid -> Signals.send(pid, "KILL"));
    }

    @Override
    public String toString() {
        return name;
    }

    /** Stops the agent, then PostgreSQL (fast shutdown by pid, SIGKILL if it lingers). */
    @Override
    public void close() {
        if (agent != null) {
            agent.close();
        }
        postmasterPid().ifPresent(pid -> {
            Signals.send(pid, "CONT");
            stopPostgres();
            if (Signals.isAlive(pid)) {
                Signals.send(pid, "KILL");
            }
        });
    }
}
