package io.spilo.it;

import io.spilo.process.ChildProcess;
import io.spilo.process.Signals;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The README's main command, as a user runs it: bin/spilo demo, a client through HAProxy, a node crash, demo stop. */
class DemoIT {
    private static final Duration CONVERGE = Duration.ofSeconds(120);
    private final TestDirectory directory = new TestDirectory("spilo-it-demo-");
    private final List<Long> pidsToCheck = new ArrayList<>();
    private ChildProcess extraAgent;
    private Path extraDataDirectory;
    private String password;

    @AfterEach
    void tearDown() throws Exception {
        if (extraAgent != null) {
            extraAgent.close();
        }
        runSpilo("demo", "stop", "--dir", directory.resolve("demo").toString());
        if (Files.exists(directory.resolve("demo-tls"))) {
            runSpilo("demo", "stop", "--dir", directory.resolve("demo-tls").toString());
        }
        stopPostgres(extraDataDirectory);
        directory.close();
    }

    private int runSpilo(String... arguments) throws InterruptedException {
        return spilo(arguments).exit();
    }

    record Run(int exit, String output) {
    }

    /** bin/spilo as a user runs it, its output not a terminal: the exit code and everything it printed. */
    private Run spilo(String... arguments) throws InterruptedException {
        Path log = directory.resolve("spilo-" + String.join("-", arguments).replace('/', '_').replace(' ', '_') + "-" + System.nanoTime()
                + ".log");
        ChildProcess process = ChildProcess.start("spilo " + arguments[0], AgentNode.spiloCommand(arguments), log, false);
        int exit = process.waitFor(Duration.ofMinutes(4));
        try {
            return new Run(exit, Files.readString(log));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The README's "try a failover": kill, status, start — and a demo partly running is completed, not refused. */
    @Test
    void theDemoTeachesAFailoverWithKillStatusAndStart() throws Exception {
        Path demo = directory.resolve("demo");
        Run started = spilo("demo", "--detach", "--dir", demo.toString());
        assertThat(started.exit()).as(started.output()).isZero();
        assertThat(started.output()).contains("Status page (live):").contains("bin/spilo demo kill node1").doesNotContain("\u001b");
        JsonNode layout = new ObjectMapper().readTree(demo.resolve("demo.json").toFile());
        layout.path("nodes").forEach(node -> pidsToCheck.add(node.path("agent_pid").asLong()));
        for (String uri : List.of("primary_uri", "replicas_uri")) {
            String value = layout.path("connect").path(uri).asText();
            assertThat(value).startsWith("postgresql://postgres@127.0.0.1:").contains("passfile=");
            io.spilo.process.ProcessResult psql = io.spilo.process.ProcessRunner.asCurrentUser().run(List.of(
                    "/usr/lib/postgresql/15/bin/psql", value, "-Atc", "SELECT pg_is_in_recovery()"), java.util.Map.of(), Duration.ofSeconds(30));
            assertThat(psql.output().strip()).as("psql \"%s\": %s", value, psql.output()).isEqualTo(uri.equals("primary_uri") ? "f" : "t");
        }
        // The demo starts its agents together: whichever won the election is the one to kill.
        String victim = null;
        AgentNodeProbe victimProbe = null;
        AgentNodeProbe survivor = null;
        for (JsonNode node : layout.path("nodes")) {
            AgentNodeProbe probe = new AgentNodeProbe(node.path("api_port").asInt());
            if (probe.status("/primary") == 200) {
                victim = node.path("name").asText();
                victimProbe = probe;
            } else {
                survivor = probe;
            }
        }
        assertThat(victim).as("the demo's primary").isNotNull();
        assertThat(victimProbe.body("/ui")).contains("<title>Spilo cluster</title>");
        String killed = victim;
        AgentNodeProbe killedProbe = victimProbe;

        Run kill = spilo("demo", "kill", killed, "--dir", demo.toString());
        assertThat(kill.exit()).as(kill.output()).isZero();
        assertThat(kill.output()).contains("Killed " + killed + ": agent pid");
        await("a new leader after " + killed + " was killed").atMost(CONVERGE).pollInterval(Duration.ofMillis(500))
                .until(() -> java.util.regex.Pattern.compile("(?m)^\\| (?!" + killed + " )node\\d +\\|[^\\n]*\\| Leader ")
                        .matcher(spilo("demo", "status", "--dir", demo.toString()).output()).find());
        Run status = spilo("demo", "status", "--dir", demo.toString());
        assertThat(status.output()).containsPattern("stopped +" + killed + " agent").contains("Status page: http://127.0.0.1:")
                .doesNotContain("\u001b");
        System.out.println("SAMPLE bin/spilo demo status after demo kill " + killed + ":\n" + status.output());
        assertThat(survivor.body("/ui/state")).contains("\"kind\":\"leader_lost\"");

        Run start = spilo("demo", "start", killed, "--dir", demo.toString());
        assertThat(start.exit()).as(start.output()).isZero();
        await(killed + " streams again as a replica").atMost(CONVERGE).pollInterval(Duration.ofMillis(500))
                .until(() -> killedProbe.status("/replica") == 200
                        && killedProbe.body("/patroni").contains("\"replication_state\":\"streaming\""));
        assertThat(spilo("demo", "status", "--dir", demo.toString()).output()).containsPattern("running pid \\d+ +" + killed + " agent")
                .containsPattern("\\| " + killed + " .*\\| Replica .*\\| streaming ");

        // Only node2's agent gone: 'spilo demo' on the directory starts it instead of refusing.
        JsonNode now = new ObjectMapper().readTree(demo.resolve("demo.json").toFile());
        io.spilo.process.Signals.send(now.path("nodes").get(1).path("agent_pid").asLong(), "KILL");
        Run resumed = spilo("demo", "--detach", "--dir", demo.toString());
        assertThat(resumed.exit()).as(resumed.output()).isZero();
        assertThat(resumed.output()).contains("starting what is missing").contains("starting the agent of node2")
                .doesNotContain("starting the agent of node1");
        JsonNode after = new ObjectMapper().readTree(demo.resolve("demo.json").toFile());
        after.path("nodes").forEach(node -> pidsToCheck.add(node.path("agent_pid").asLong()));
        assertThat(runSpilo("demo", "stop", "--dir", demo.toString())).isZero();
        for (long pid : pidsToCheck) {
            assertThat(io.spilo.process.Signals.isAlive(pid)).as("pid " + pid + " stopped").isFalse();
        }
    }

    /**
     * What a failed start said, and each log's last warnings, short enough for the assertion message:
     * the build's summary prints that in full where a long test output is cut.
     */
    private String diagnosis(Run run) throws java.io.IOException {
        StringBuilder text = new StringBuilder("output: ").append(lastLines(run.output().lines().toList(), 12, line -> true));
        try (java.util.stream.Stream<Path> files = Files.walk(directory.path())) {
            for (Path log : files.filter(file -> file.toString().endsWith(".log") && !file.getFileName().toString().startsWith("spilo-"))
                    .sorted().toList()) {
                text.append("\n").append(directory.path().relativize(log)).append(": ").append(lastLines(Files.readAllLines(log), 4,
                        line -> line.contains(" WARN ") || line.contains(" ERROR ") || line.contains("FATAL")));
            }
        }
        return text.toString();
    }

    private static String lastLines(List<String> lines, int count, java.util.function.Predicate<String> keep) {
        List<String> kept = lines.stream().filter(keep).toList();
        return String.join("\n  ", kept.subList(Math.max(0, kept.size() - count), kept.size()));
    }

    /** The demo's own output and the tail of every log it wrote: the test directory is gone after the test. */
    private void printLogs() throws java.io.IOException {
        List<Path> logs = new ArrayList<>();
        try (java.util.stream.Stream<Path> files = Files.walk(directory.path())) {
            files.filter(file -> file.toString().endsWith(".log")).sorted().forEach(logs::add);
        }
        for (Path log : logs) {
            List<String> lines = Files.readAllLines(log);
            System.out.println("==== " + log + " (last 60 of " + lines.size() + " lines)");
            lines.subList(Math.max(0, lines.size() - 60), lines.size()).forEach(System.out::println);
        }
    }

    private Connection connect(int port) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", "postgres");
        properties.setProperty("password", password);
        properties.setProperty("connectTimeout", "2");
        properties.setProperty("socketTimeout", "5");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", properties);
    }

    private boolean insert(int port, long id) {
        try (Connection connection = connect(port); Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO demo_writes VALUES (" + id + ")");
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    @Test
    void theDemoServesClientsThroughHaproxyAcrossANodeCrashAndStopsCleanly() throws Exception {
        Path demo = directory.resolve("demo");
        long started = System.nanoTime();
        Run run = spilo("demo", "--detach", "--dir", demo.toString());
        if (run.exit() != 0) {
            printLogs();
        }
        assertThat(run.exit()).as("spilo demo exit code; %s", diagnosis(run)).isZero();
        System.out.printf("MEASURE demo: bin/spilo demo --detach to ready in %.1f s (jar built)%n", (System.nanoTime() - started) / 1e9);

        JsonNode layout = new ObjectMapper().readTree(demo.resolve("demo.json").toFile());
        password = Files.readAllLines(demo.resolve("secrets")).get(0).strip();
        int primaryPort = layout.path("haproxy").path("primary_port").asInt();
        int replicaPort = layout.path("haproxy").path("replica_port").asInt();
        layout.path("nodes").forEach(node -> pidsToCheck.add(node.path("agent_pid").asLong()));
        layout.path("etcd").forEach(member -> pidsToCheck.add(member.path("pid").asLong()));
        pidsToCheck.add(layout.path("haproxy").path("pid").asLong());
        Path haproxyState = Path.of(layout.path("haproxy").path("state_dir").asText());
        long haproxyMaster = Long.parseLong(Files.readAllLines(haproxyState.resolve("haproxy.pid")).get(0).strip());
        pidsToCheck.add(haproxyMaster);

        try (Connection connection = connect(primaryPort); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE demo_writes (id bigint primary key)");
        }
        assertThat(insert(primaryPort, 1)).isTrue();
        await("the row is readable through the replica port").atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> {
                    try (Connection connection = connect(replicaPort); Statement statement = connection.createStatement();
                            ResultSet row = statement.executeQuery("SELECT pg_is_in_recovery(), count(*) FROM demo_writes")) {
                        return row.next() && row.getBoolean(1) && row.getLong(2) == 1;
                    }
                });

        // A new demo archives its WAL and takes a first full backup in the background on its first leader.
        List<AgentNodeProbe> members = new ArrayList<>();
        layout.path("nodes").forEach(node -> members.add(new AgentNodeProbe(node.path("api_port").asInt())));
        await("the demo's first full backup, on its leader").atMost(CONVERGE).pollInterval(Duration.ofMillis(500))
                .until(() -> members.stream().anyMatch(member -> member.body("/backup").contains("\"state\":\"succeeded\"")));
        assertThat(members.get(0).body("/backups")).contains("\"type\":\"full\"");

        JsonNode leaderNode = null;
        for (JsonNode node : layout.path("nodes")) {
            if (new AgentNodeProbe(node.path("api_port").asInt()).status("/primary") == 200) {
                leaderNode = node;
            }
        }
        assertThat(leaderNode).as("a primary among the demo's nodes").isNotNull();
        long postmaster = io.spilo.postgres.PostmasterPidFile.recordedPid(Path.of(leaderNode.path("data_dir").asText())).orElseThrow();
        long killedAt = System.nanoTime();
        io.spilo.process.Signals.send(leaderNode.path("agent_pid").asLong(), "KILL");
        io.spilo.process.Signals.send(postmaster, "KILL");
        long[] id = {100};
        await("writes through the same primary port again").atMost(CONVERGE).pollInterval(Duration.ofMillis(100))
                .until(() -> insert(primaryPort, id[0]++));
        System.out.printf("MEASURE demo: client write outage through HAProxy after SIGKILL of the primary node %.1f s%n",
                (System.nanoTime() - killedAt) / 1e9);

        // A member added later appears in HAProxy without restarting it.
        Path node1Config = Path.of(layout.path("nodes").get(0).path("config").asText());
        extraDataDirectory = demo.resolve("data").resolve("node4");
        String node4 = Files.readString(node1Config)
                .replace("name: node1", "name: node4")
                .replace("listen: 127.0.0.1:" + layout.path("nodes").get(0).path("api_port").asInt(), "listen: 127.0.0.1:" + FreePorts.next())
                .replace("listen: 127.0.0.1:" + layout.path("nodes").get(0).path("postgres_port").asInt(), "listen: 127.0.0.1:" + FreePorts.next())
                .replace("data/node1", "data/node4")
                .replace("node1.pgpass", "node4.pgpass");
        Path node4Config = demo.resolve("node4.yml");
        Files.writeString(node4Config, node4);
        extraAgent = ChildProcess.start("agent node4", AgentNode.agentCommand(node4Config), demo.resolve("logs").resolve("node4.log"), false);
        HaproxyStats stats = new HaproxyStats(haproxyState.resolve("haproxy.sock"));
        await("node4 in HAProxy's replica backend").atMost(CONVERGE).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> stats.upServers("replicas").contains("node4"));
        assertThat(Files.readString(haproxyState.resolve("haproxy.cfg"))).contains("server node4 ");
        long masterNow = Long.parseLong(Files.readAllLines(haproxyState.resolve("haproxy.pid")).get(0).strip());
        assertThat(masterNow).as("the same HAProxy master, reloaded not restarted").isEqualTo(haproxyMaster);
        assertThat(io.spilo.process.Signals.isAlive(haproxyMaster)).isTrue();

        extraAgent.close();
        stopPostgres(extraDataDirectory);
        assertThat(runSpilo("demo", "stop", "--dir", demo.toString())).isZero();
        for (long pid : pidsToCheck) {
            assertThat(io.spilo.process.Signals.isAlive(pid)).as("pid " + pid + " stopped").isFalse();
        }
        for (JsonNode node : layout.path("nodes")) {
            // A SIGKILLed postmaster leaves its pid file behind; what matters is that no postmaster lives.
            for (long pid : io.spilo.postgres.PostmasterPidFile.recordedPid(Path.of(node.path("data_dir").asText())).stream().toList()) {
                assertThat(io.spilo.process.Signals.isAlive(pid)).as(node.path("name").asText() + " PostgreSQL stopped").isFalse();
            }
        }
    }

    /** bin/spilo demo --tls: its printed connection strings work as they are, with the server's certificate checked. */
    @Test
    void theTlsDemoPrintsVerifyFullConnectionStringsThatWorkAsPrinted() throws Exception {
        Path demo = directory.resolve("demo-tls");
        Run run = spilo("demo", "--tls", "--detach", "--dir", demo.toString());
        if (run.exit() != 0) {
            printLogs();
        }
        assertThat(run.exit()).as("spilo demo --tls exit code; %s", diagnosis(run)).isZero();
        JsonNode layout = new ObjectMapper().readTree(demo.resolve("demo.json").toFile());
        layout.path("nodes").forEach(node -> pidsToCheck.add(node.path("agent_pid").asLong()));
        layout.path("etcd").forEach(member -> pidsToCheck.add(member.path("pid").asLong()));
        for (String port : List.of("primary", "replicas")) {
            String command = layout.path("connect").path(port).asText();
            assertThat(command).contains("sslmode=verify-full").contains("sslrootcert=" + demo.resolve("tls").resolve("ca.crt"));
            io.spilo.process.ProcessResult result = io.spilo.process.ProcessRunner.asCurrentUser().run(List.of("bash", "-c",
                    command + " -Atc 'SELECT ssl, pg_is_in_recovery() FROM pg_stat_ssl WHERE pid = pg_backend_pid()'"),
                    java.util.Map.of(), Duration.ofSeconds(30));
            assertThat(result.output().strip()).as("%s: %s", port, command).isEqualTo(port.equals("primary") ? "t|f" : "t|t");
        }
        JsonNode node1 = layout.path("nodes").get(0);
        assertThat(node1.path("rest_url").asText()).startsWith("https://");
        io.spilo.config.TlsSettings client = new io.spilo.config.TlsSettings(
                java.util.Optional.of(Path.of(layout.path("tls").path("client_certificate").asText())),
                java.util.Optional.of(Path.of(layout.path("tls").path("client_key").asText())), java.util.Optional.empty(),
                java.util.Optional.of(Path.of(layout.path("tls").path("ca").asText())), false);
        java.net.http.HttpResponse<String> status = io.spilo.tls.RestClients.create(client, Duration.ofSeconds(2)).send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(node1.path("rest_url").asText())).timeout(Duration.ofSeconds(3))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(new AgentNodeProbe(node1.path("api_port").asInt()).status("/patroni")).as("plain HTTP").isEqualTo(-1);

        assertThat(runSpilo("demo", "stop", "--dir", demo.toString())).isZero();
        for (long pid : pidsToCheck) {
            assertThat(io.spilo.process.Signals.isAlive(pid)).as("pid " + pid + " stopped").isFalse();
        }
    }

    private static void stopPostgres(Path dataDirectory) {
        if (dataDirectory == null) {
            return;
        }
        try {
            long pid = io.spilo.postgres.PostmasterPidFile.recordedPid(dataDirectory).orElseThrow();
            io.spilo.process.Signals.send(pid, "INT");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (io.spilo.process.Signals.isAlive(pid) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        } catch (Exception e) {
            // not running
        }
    }

    /** The REST status of one demo node. */
    private record AgentNodeProbe(int port) {
        /** The answer to GET {@code path}, or empty when the member did not answer. */
        java.util.Optional<java.net.http.HttpResponse<String>> get(String path) {
            try {
                java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
                return java.util.Optional.of(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                        + path)).timeout(Duration.ofSeconds(2)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()));
            } catch (Exception e) {
                return java.util.Optional.empty();
            }
        }

        String body(String path) {
            return get(path).map(java.net.http.HttpResponse::body).orElse("");
        }

        int status(String path) {
            return get(path).map(java.net.http.HttpResponse::statusCode).orElse(-1);
        }
    }
}
