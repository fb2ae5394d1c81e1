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
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** One member of a test cluster: its configuration, its agent process, and its PostgreSQL by pid. */
final class AgentNode implements AutoCloseable {
    static final String SUPERUSER_PASSWORD = "it-super-secret";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final String name;
    final int postgresPort;
    final int apiPort;
    final Path dataDirectory;
    final Path configFile;
    private final Path directory;
    private ManagedProcess agent;
    private int starts;

    AgentNode(Path directory, String scope, String name, String etcdHostPort, String dcsYaml, String extraYaml) {
        this.directory = directory;
        this.name = name;
        this.postgresPort = FreePorts.next();
        this.apiPort = FreePorts.next();
        this.dataDirectory = directory.resolve("data").resolve(name);
        this.configFile = directory.resolve(name + ".yml");
        String yaml = """
                scope: %s
                name: %s
                restapi:
                  listen: 127.0.0.1:%d
                etcd3:
                  hosts: %s
                bootstrap:
                  dcs:
                    ttl: 10
                    loop_wait: 2
                    retry_timeout: 3
                    maximum_lag_on_failover: 1048576
                %s    postgresql:
                      use_slots: true
                      parameters:
                        max_connections: 50
                  initdb:
                  - encoding: UTF8
                  - data-checksums
                postgresql:
                  listen: 127.0.0.1:%d
                  data_dir: %s
                  parameters:
                    shared_buffers: 16MB
                  authentication:
                    superuser: {username: postgres, password: %s}
                    replication: {username: replicator, password: it-repl-secret}
                %s""".formatted(scope, name, apiPort, etcdHostPort, dcsYaml, postgresPort, dataDirectory, SUPERUSER_PASSWORD, extraYaml);
        try {
            Files.createDirectories(dataDirectory.getParent());
            dataDirectory.getParent().toFile().setExecutable(true, false);
            dataDirectory.getParent().toFile().setReadable(true, false);
            Files.writeString(configFile, yaml);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + configFile + ": " + e.getMessage(), e);
        }
    }

    static List<String> agentCommand(Path configFile) {
        return spiloCommand("agent", "-c", configFile.toString());
    }

    /** The built jar, run as users run it (bin/spilo's JVM options). */
    static List<String> spiloCommand(String... arguments) {
        String jar = System.getProperty("spilo.jar", "target/spilo.jar");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx128m", "-XX:+UseSerialGC", "-jar", jar));
        command.addAll(List.of(arguments));
        return command;
    }

    void startAgent() {
        starts++;
        agent = ManagedProcess.start("agent " + name, agentCommand(configFile), directory.resolve(name + ".agent." + starts + ".log"));
    }

    ManagedProcess agent() {
        return agent;
    }

    /** The pid in postmaster.pid, if that process is alive. */
    Optional<Long> postmasterPid() {
        try {
            List<String> lines = Files.readAllLines(dataDirectory.resolve("postmaster.pid"));
            long pid = Long.parseLong(lines.get(0).strip());
            return Signals.isAlive(pid) ? Optional.of(pid) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    int status(String path) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
                    .timeout(Duration.ofSeconds(3)).GET().build();
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    JsonNode json(String path) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
                    .timeout(Duration.ofSeconds(3)).GET().build();
            return new ObjectMapper().readTree(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body());
        } catch (IOException e) {
            return new ObjectMapper().createObjectNode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ObjectMapper().createObjectNode();
        }
    }

    Connection connect() throws SQLException {
        java.util.Properties properties = new java.util.Properties();
        properties.setProperty("user", "postgres");
        properties.setProperty("password", SUPERUSER_PASSWORD);
        properties.setProperty("connectTimeout", "3");
        properties.setProperty("socketTimeout", "10");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres", properties);
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
