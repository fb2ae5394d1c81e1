package io.spilo.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.spilo.process.Signals;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §9 "the loop never blocks its heartbeat", against real etcd and PostgreSQL: a leader race
 * between replicas whose replay lags, and a bootstrap whose initdb fails.
 */
class LongActionIT {
    private static final Duration CONVERGE = Duration.ofSeconds(90);
    private static final Path REAL_BIN = Path.of(System.getProperty("spilo.pgBin", "/usr/lib/postgresql/15/bin"));
    private TestCluster cluster;
    private TestDirectory flakyBin;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
        if (flakyBin != null) {
            flakyBin.close();
        }
    }

    private static void sql(AgentNode node, String statement) throws SQLException {
        try (Connection connection = node.connect(); Statement sql = connection.createStatement()) {
            sql.execute(statement);
        }
    }

    private static long lsn(AgentNode node, String expression) throws SQLException {
        try (Connection connection = node.connect(); Statement sql = connection.createStatement();
                java.sql.ResultSet row = sql.executeQuery("SELECT (" + expression + " - '0/0'::pg_lsn)::bigint")) {
            row.next();
            return row.getLong(1);
        }
    }

    @Test
    void replicasThatReceivedTheSameWalButLagInReplayPromoteExactlyOneOfThem() throws Exception {
        cluster = new TestCluster("race", 3, "");
        AgentNode old = cluster.startWithNode1Leading(CONVERGE);
        List<AgentNode> replicas = cluster.nodes.subList(1, 3);
        for (AgentNode replica : replicas) {
            sql(replica, "SELECT pg_wal_replay_pause()");
        }
        sql(old, "CREATE TABLE race (id bigint, payload text)");
        sql(old, "INSERT INTO race SELECT i, repeat('x', 200) FROM generate_series(1, 200000) i");
        long written = lsn(old, "pg_current_wal_lsn()");
        await("both replicas received everything").atMost(CONVERGE).pollInterval(Duration.ofMillis(100)).until(() ->
                lsn(replicas.get(0), "pg_last_wal_receive_lsn()") >= written && lsn(replicas.get(1), "pg_last_wal_receive_lsn()") >= written);
        assertThat(lsn(replicas.get(0), "pg_last_wal_replay_lsn()")).isLessThan(written);

        Set<String> everPrimary = ConcurrentHashMap.newKeySet();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            long deadline = System.nanoTime() + CONVERGE.toNanos();
            while (sampling.get() && System.nanoTime() < deadline) {
                replicas.stream().filter(node -> node.status("/primary") == 200).forEach(node -> everPrimary.add(node.name));
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "primary-sampler");
        sampler.start();
        try {
            long postmaster = old.postmasterPid().orElseThrow();
            old.agent().signal("KILL");
            Signals.send(postmaster, "KILL");
            await("a replica takes the leader key").atMost(CONVERGE).pollInterval(Duration.ofMillis(100)).until(() ->
                    replicas.stream().map(node -> node.json("/patroni")).anyMatch(status ->
                            status.path("state").asText().equals("promoting") || status.path("role").asText().equals("primary")));
            for (AgentNode replica : replicas) {
                try {
                    sql(replica, "SELECT pg_wal_replay_resume()");
                } catch (SQLException promotedAlready) {
                    // recovery already ended on the winner: nothing to resume
                }
            }
            await("one new primary, the other replica streaming from it").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200)).until(() -> cluster.primaries().size() == 1
                            && cluster.streamingReplicas().size() == 1);
        } finally {
            sampling.set(false);
            sampler.join(5_000);
        }
        AgentNode winner = cluster.primaries().get(0);
        assertThat(everPrimary).as("members that ever answered /primary 200").containsExactly(winner.name);
        assertThat(winner.json("/history")).as("one promotion in the history").hasSize(1);
        for (AgentNode replica : replicas) {
            assertThat(replica.timeline()).isEqualTo(2);
        }
        old.startAgent();
        cluster.awaitHealthy(CONVERGE);
        assertThat(cluster.primaries()).containsExactly(winner);
        assertThat(old.timeline()).isEqualTo(2);
    }

    /** A bin_dir whose initdb fails the first time it runs (as a full disk or a timeout would), then works. */
    private static Path binDirectoryWithInitdbFailingOnce(Path directory) throws IOException {
        Path bin = Files.createDirectories(directory.resolve("flaky-bin"));
        Path marker = directory.resolve("flaky-state");
        Files.createDirectories(marker);
        Files.setPosixFilePermissions(marker, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (var programs = Files.list(REAL_BIN)) {
            for (Path program : programs.toList()) {
                if (!program.getFileName().toString().equals("initdb")) {
                    Files.createSymbolicLink(bin.resolve(program.getFileName()), program);
                }
            }
        }
        Path initdb = bin.resolve("initdb");
        Files.writeString(initdb, """
                #!/bin/sh
                if [ ! -e %1$s/failed-once ]; then
                  : > %1$s/failed-once
                  echo "initdb: could not write to file: No space left on device (simulated by the test)" >&2
                  exit 1
                fi
                exec %2$s/initdb "$@"
                """.formatted(marker, REAL_BIN));
        Files.setPosixFilePermissions(initdb, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    @Test
    void aFailedInitdbReleasesTheClusterSoThatItIsBootstrappedAnyway() throws Exception {
        flakyBin = new TestDirectory("spilo-it-flaky-bin-");
        Path bin = binDirectoryWithInitdbFailingOnce(flakyBin.path());
        cluster = new TestCluster("initdb", 2, "", name -> name.equals("node1") ? "postgresql:\n  bin_dir: " + bin + "\n" : "");
        AgentNode first = cluster.nodes.get(0);
        first.startAgent();
        await("node1's initdb failed").atMost(CONVERGE).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.exists(flakyBin.resolve("flaky-state").resolve("failed-once")));
        cluster.nodes.get(1).startAgent();

        cluster.awaitHealthy(CONVERGE);
        String identifier = cluster.primaries().get(0).json("/patroni").path("database_system_identifier").asText();
        assertThat(identifier).isNotBlank();
        assertThat(cluster.streamingReplicas()).hasSize(1);
    }
}
