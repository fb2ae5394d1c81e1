package io.spilo.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.spilo.process.ProcessResult;
import io.spilo.process.ProcessRunner;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, backups with real pgBackRest and PostgreSQL: continuous archiving from whoever is
 * primary, base backups through the leader, new clusters restored to a point in time, replicas
 * restored from the repository, and a repository that cannot be written.
 */
class BackupIT {
    private static final Duration CONVERGE = Duration.ofSeconds(90);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private <T extends AutoCloseable> T open(T resource) {
        opened.add(resource);
        return resource;
    }

    private static String backupSection(Path repository) {
        return "backup:\n  repository: " + repository + "\n  options:\n    repo1-retention-full: 4\n";
    }

    /** A running cluster archiving into {@code repository}, with a first full backup taken through 'spilo backup'. */
    private TestCluster backedUpCluster(String scope, Path repository, String extraYaml) {
        TestCluster cluster = open(new TestCluster(scope, 3, "", name -> backupSection(repository) + extraYaml));
        cluster.startWithNode1Leading(CONVERGE);
        Cli backup = cli("backup", "-c", cluster.nodes.get(0).configFile.toString(), "--type", "full");
        assertThat(backup.exit()).as("spilo backup --type full: %s", backup).isZero();
        assertThat(backup.out()).contains("Backup completed on node1 (full");
        return cluster;
    }

    @Test
    void aClusterRestoredToAPointInTimeHasExactlyTheRowsCommittedBeforeIt() throws Exception {
        Path repository = open(new TestDirectory("spilo-it-repo-")).resolve("repo");
        TestCluster source = backedUpCluster("pitr", repository, "");
        Cli list = cli("backups", "-c", source.nodes.get(0).configFile.toString());
        assertThat(list.exit()).as("spilo backups: %s", list).isZero();
        assertThat(list.out()).contains("Stanza: pitr (ok)").containsPattern("F \\| full ");
        System.out.println("SAMPLE spilo backups:\n" + list.out());

        AgentNode primary = source.nodes.get(0);
        awaitClockPastLastBackup(primary);
        sql(primary, "CREATE TABLE ledger (id int PRIMARY KEY, note text)",
                "INSERT INTO ledger SELECT i, md5(i::text) FROM generate_series(1, 500) i");
        String checksum = query(primary, "SELECT md5(string_agg(id || ':' || note, ',' ORDER BY id)) FROM ledger");
        String target = query(primary, "SELECT clock_timestamp()::text");
        sql(primary, "INSERT INTO ledger SELECT i, 'after' FROM generate_series(501, 600) i", "DROP TABLE ledger");
        archiveCurrentSegment(primary);

        TestCluster restored = restoreCluster(source.nodes.get(0), target, "pitrcopy", 3, repository);
        restored.awaitHealthy(CONVERGE);
        AgentNode leader = restored.primaries().get(0);
        assertThat(query(leader, "SELECT count(*)::text FROM ledger")).isEqualTo("500");
        assertThat(query(leader, "SELECT md5(string_agg(id || ':' || note, ',' ORDER BY id)) FROM ledger")).isEqualTo(checksum);
        assertThat(restored.streamingReplicas()).hasSize(2);
        // The new cluster archives into a stanza of its own and can be backed up at once.
        Cli backup = cli("backup", "-c", restored.nodes.get(0).configFile.toString(), "--type", "full");
        assertThat(backup.exit()).as("backup of the restored cluster: %s", backup).isZero();
    }

    @Test
    void afterAFailoverTheNewPrimaryArchivesItsTimelineAndARestoreAcrossItIsExact() throws Exception {
        Path repository = open(new TestDirectory("spilo-it-repo-")).resolve("repo");
        TestCluster source = backedUpCluster("failover", repository, "");
        AgentNode old = source.nodes.get(0);
        sql(old, "CREATE TABLE before_failover (id int)", "INSERT INTO before_failover SELECT generate_series(1, 100)");
        archiveCurrentSegment(old);

        old.killAgentAndPostgres();
        await("a new primary").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                .until(() -> source.nodes.stream().anyMatch(node -> node != old && node.status("/primary") == 200));
        AgentNode primary = source.nodes.stream().filter(node -> node != old && node.status("/primary") == 200).findFirst().orElseThrow();
        assertThat(primary.timeline()).isEqualTo(2);
        ProcessResult check = pgBackRest(primary, "failover", "check");
        assertThat(check.exitCode()).as("pgbackrest check on the new primary: %s", check.output()).isZero();

        Cli incremental = cli("backup", "-c", primary.configFile.toString(), "--type", "incr");
        assertThat(incremental.exit()).as("incremental backup from the new leader: %s", incremental).isZero();
        assertThat(incremental.out()).contains("Backup completed on " + primary.name + " (incr");

        awaitClockPastLastBackup(primary);
        sql(primary, "CREATE TABLE after_failover (id int)", "INSERT INTO after_failover SELECT generate_series(1, 70)");
        String target = query(primary, "SELECT clock_timestamp()::text");
        sql(primary, "INSERT INTO after_failover SELECT generate_series(71, 90)", "DROP TABLE before_failover");
        archiveCurrentSegment(primary);

        TestCluster restored = restoreCluster(primary, target, "failovercopy", 1, repository);
        restored.awaitHealthy(CONVERGE);
        AgentNode leader = restored.primaries().get(0);
        assertThat(query(leader, "SELECT count(*)::text FROM after_failover")).isEqualTo("70");
        assertThat(query(leader, "SELECT count(*)::text FROM before_failover")).isEqualTo("100");
    }

    @Test
    void aReinitializedReplicaIsRestoredFromTheRepositoryNotCopiedFromTheLeader() throws Exception {
        Path repository = open(new TestDirectory("spilo-it-repo-")).resolve("repo");
        // Before the first backup the repository cannot serve: the first replicas fall back to basebackup.
        TestCluster cluster = backedUpCluster("reinit", repository,
                "postgresql:\n  create_replica_methods: [pgbackrest, basebackup]\n");
        AgentNode replica = cluster.nodes.get(2);
        Path log = cluster.directory.resolve(replica.name + ".agent.1.log");
        assertThat(Files.readString(log)).contains("replica created with method basebackup")
                .contains("replica method pgbackrest failed, trying the next one");
        sql(cluster.nodes.get(0), "CREATE TABLE since_backup AS SELECT generate_series(1, 1000) AS id");

        Cli reinit = cli("reinit", "-c", replica.configFile.toString(), "reinit", replica.name, "--force");
        assertThat(reinit.exit()).as("spilo reinit: %s", reinit).isZero();
        await("the reinitialized replica restored from the repository").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                .until(() -> Files.readString(log).split("replica created with method").length == 3);
        assertThat(Files.readString(log)).contains("replica created with method pgbackrest");
        cluster.awaitHealthy(CONVERGE);
        assertThat(query(replica, "SELECT count(*)::text FROM since_backup")).isEqualTo("1000");
    }

    @Test
    void aRepositoryThatCannotBeWrittenNeverStopsThePrimaryAndItsBacklogDrainsWhenFixed() throws Exception {
        Path repository = open(new TestDirectory("spilo-it-repo-")).resolve("repo");
        TestCluster cluster = backedUpCluster("brokenrepo", repository, "");
        AgentNode primary = cluster.nodes.get(0);
        Path away = repository.resolveSibling("repo.away");
        Files.move(repository, away);
        Files.createDirectory(repository); // root's: the postgres user cannot write here
        try {
            for (int i = 0; i < 3; i++) {
                sql(primary, "CREATE TABLE IF NOT EXISTS during (id int)", "INSERT INTO during SELECT generate_series(1, 1000)",
                        "SELECT pg_switch_wal()");
            }
            await("archiving reported failing").atMost(CONVERGE).pollInterval(Duration.ofMillis(500))
                    .until(() -> metric(primary, "spilo_wal_archive_failed_total") > 0
                            && metric(primary, "spilo_wal_archive_waiting_segments") >= 1);
            Cli list = cli("list", "-c", primary.configFile.toString());
            assertThat(list.err()).contains("warning: WAL archiving fails on node1");
            System.out.println("SAMPLE spilo list with a broken repository:\n" + list.out() + list.err());
            assertThat(metric(primary, "spilo_wal_archive_lag_bytes")).isPositive();
            sql(primary, "INSERT INTO during SELECT generate_series(1, 1000)");
            assertThat(primary.status("/primary")).as("the primary keeps its role").isEqualTo(200);
        } finally {
            Files.delete(repository);
            Files.move(away, repository);
        }
        await("the backlog drains").atMost(CONVERGE).pollInterval(Duration.ofMillis(500))
                .until(() -> metric(primary, "spilo_wal_archive_waiting_segments") == 0);
        ProcessResult check = pgBackRest(primary, "brokenrepo", "check");
        assertThat(check.exitCode()).as("pgbackrest check after the repair: %s", check.output()).isZero();
        assertThat(query(primary, "SELECT count(*)::text FROM during")).isEqualTo("4000");
    }

    @Test
    void withABackupScheduleTheLeaderTakesTheFirstFullBackupByItself() throws Exception {
        Path repository = open(new TestDirectory("spilo-it-repo-")).resolve("repo");
        TestCluster cluster = open(new TestCluster("scheduled", 1, "    backup_schedule:\n      full: 1d\n      incr: 1h\n",
                name -> backupSection(repository)));
        cluster.startWithNode1Leading(CONVERGE);
        AgentNode leader = cluster.nodes.get(0);
        await("a scheduled full backup").atMost(CONVERGE).pollInterval(Duration.ofMillis(500))
                .until(() -> leader.call("GET", "/backup", "").contains("\"state\":\"succeeded\""));
        assertThat(leader.call("GET", "/backup", "")).contains("\"type\":\"full\"");
        assertThat(metric(leader, "spilo_backup_last_success_age_seconds")).isBetween(0.0, 60.0);
        // Nothing else is due for an hour: no second backup starts.
        await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(500))
                .until(() -> new ObjectMapper().readTree(leader.call("GET", "/backups", "").replaceFirst("^\\d+ ", ""))
                        .path("backups").size() == 1);
    }

    @Test
    void aRestoreThatCannotSucceedSaysWhyAndIsRetriedOncePerCycleNotInATightLoop() throws Exception {
        Path repository = open(new TestDirectory("spilo-it-repo-")).resolve("repo");
        TestCluster cluster = open(new TestCluster("norestore", 1, "", name -> backupSection(repository)
                + "bootstrap:\n  method: pgbackrest\n  pgbackrest:\n    stanza: nothing-here\n"));
        AgentNode node = cluster.nodes.get(0);
        node.startAgent();
        Path log = cluster.directory.resolve("node1.agent.1.log");
        await("the failed restore reported").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                .until(() -> Files.readString(log).contains("bootstrap failed"));
        long before = Files.readString(log).split("bootstrap failed", -1).length - 1;
        // loop_wait is 2 s: over 6 s at most 4 more attempts (a tight loop made hundreds).
        await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(500))
                .until(() -> Files.readString(log).split("bootstrap failed", -1).length - 1 - before <= 4);
        assertThat(Files.readString(log)).contains("bootstrap method pgbackrest failed").contains("nothing-here");
        assertThat(node.status("/primary")).isNotEqualTo(200);
    }

    /** A new cluster of {@code size} members from 'spilo restore --to target --into scope' run against {@code member}'s file. */
    private TestCluster restoreCluster(AgentNode member, String target, String scope, int size, Path repository) throws Exception {
        Cli restore = cli("restore", "-c", member.configFile.toString(), "--to", target, "--into", scope);
        assertThat(restore.exit()).as("spilo restore: %s", restore).isZero();
        JsonNode bootstrap = YAML.readTree(restore.out()).path("bootstrap");
        assertThat(bootstrap.path("method").asText()).isEqualTo("pgbackrest");
        String bootstrapYaml = YAML.writeValueAsString(YAML.createObjectNode().set("bootstrap",
                YAML.createObjectNode().put("method", "pgbackrest").set("pgbackrest", bootstrap.path("pgbackrest"))))
                .replaceFirst("^---\\n", "");
        TestCluster restored = open(new TestCluster(scope, size, "", name -> backupSection(repository) + bootstrapYaml));
        restored.startWithNode1Leading(CONVERGE);
        return restored;
    }

    /**
     * pgBackRest restores to a time only from a backup that stopped before it, compared in whole
     * seconds: the test's points in time come after the last backup's second.
     */
    private static void awaitClockPastLastBackup(AgentNode leader) throws Exception {
        JsonNode backups = new ObjectMapper().readTree(leader.call("GET", "/backups", "").replaceFirst("^\\d+ ", ""));
        long stop = 0;
        for (JsonNode backup : backups.path("backups")) {
            stop = Math.max(stop, backup.path("stop").asLong());
        }
        long lastStop = stop;
        await("the clock past the last backup").atMost(CONVERGE).pollInterval(Duration.ofMillis(100))
                .until(() -> Double.parseDouble(query(leader, "SELECT extract(epoch FROM clock_timestamp())::text")) >= lastStop + 1);
    }

    /** Switches to a new WAL segment and waits until the finished one is in the archive. */
    private static void archiveCurrentSegment(AgentNode primary) throws SQLException {
        String segment = query(primary, "SELECT pg_walfile_name(pg_switch_wal())");
        await("segment " + segment + " archived").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                .until(() -> query(primary, "SELECT COALESCE(last_archived_wal, '') FROM pg_stat_archiver").compareTo(segment) >= 0);
    }

    private static ProcessResult pgBackRest(AgentNode member, String stanza, String command) {
        Path config = member.dataDirectory.resolveSibling(member.dataDirectory.getFileName() + ".pgbackrest").resolve("pgbackrest.conf");
        return new ProcessRunner("postgres").runAsPostgresUser(List.of("/usr/bin/pgbackrest", "--config=" + config, "--stanza=" + stanza,
                command), Map.of(), Duration.ofMinutes(2));
    }

    private static double metric(AgentNode member, String name) {
        String body = member.call("GET", "/metrics", "");
        for (String line : body.split("\n")) {
            if (line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return -1;
    }

    private static void sql(AgentNode member, String... statements) throws SQLException {
        try (Connection connection = member.connect(); Statement statement = connection.createStatement()) {
            for (String text : statements) {
                statement.execute(text);
            }
        }
    }

    private static String query(AgentNode member, String text) throws SQLException {
        try (Connection connection = member.connect(); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(text)) {
            row.next();
            return row.getString(1);
        }
    }

    record Cli(int exit, String out, String err) {
    }

    private static Cli cli(String... arguments) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = io.spilo.cli.Main.run(new PrintWriter(out, true), new PrintWriter(err, true), arguments);
        return new Cli(exit, out.toString(), err.toString());
    }
}
