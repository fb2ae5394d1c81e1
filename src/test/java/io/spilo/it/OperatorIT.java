package io.spilo.it;

import io.spilo.process.Signals;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spilo.cli.Main;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The spilo operator commands and REST actions against one real three-member cluster with HAProxy, in order. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorIT {
    private static final Duration CONVERGE = Duration.ofSeconds(90);
    private static TestCluster cluster;
    private static TestCluster.Proxy proxy;
    private static String config;

    @BeforeAll
    static void start() throws Exception {
        cluster = new TestCluster("ops", 3, "", name -> "");
        cluster.startWithNode1Leading(CONVERGE);
        proxy = cluster.startHaproxy(CONVERGE);
        config = cluster.nodes.get(0).configFile.toString();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private record Run(int exitCode, String out, String err) {
    }

    private static Run spilo(String stdin, String... arguments) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        InputStream previous = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), arguments);
            return new Run(exit, out.toString(), err.toString());
        } finally {
            System.setIn(previous);
        }
    }

    private static AgentNode leader() {
        List<AgentNode> primaries = cluster.primaries();
        assertThat(primaries).hasSize(1);
        return primaries.get(0);
    }

    @Test
    @Order(1)
    void listShowsTheMembersAsATableAndAsJson() throws Exception {
        Run table = spilo("", "list", "-c", config);
        Run json = spilo("", "list", "-c", config, "--format", "json");
        Run topology = spilo("", "topology", "-c", config);

        assertThat(table.exitCode()).isZero();
        assertThat(table.out()).contains("+ Cluster: ops (").contains("| Member | Host").contains("| Leader  |")
                .contains("streaming").contains("Lag in MB").contains("| Fence ").containsPattern("\\| Leader .*\\| armed ");
        JsonNode rows = new ObjectMapper().readTree(json.out());
        assertThat(rows).hasSize(3);
        assertThat(rows.findValuesAsText("Role")).containsExactlyInAnyOrder("Leader", "Replica", "Replica");
        assertThat(topology.out()).contains("| + node2").contains("| + node3");
        System.out.println("SAMPLE spilo list:\n" + table.out());
    }

    @Test
    @Order(2)
    void switchoversUnderAWritingClientLoseNothingAndPauseWritesBriefly() throws Exception {
        List<Double> gaps = new ArrayList<>();
        Writer writer = new Writer(proxy.primaryPort());
        try {
            await().atMost(CONVERGE).until(() -> writer.acknowledgedCount() > 20);
            for (int round = 0; round < 3; round++) {
                AgentNode from = leader();
                String candidate = cluster.nodes.stream().filter(node -> node != from).toList().get(round % 2).name;
                long before = System.nanoTime();
                Run run = spilo("", "switchover", "-c", config, "--candidate", candidate, "--force");
                assertThat(run.exitCode()).as(run.err()).isZero();
                assertThat(run.out()).contains("Successfully switched over to \"" + candidate + "\"");
                int acknowledgedBefore = writer.acknowledgedCount();
                await("writes resume").atMost(CONVERGE).until(() -> writer.acknowledgedCount() > acknowledgedBefore + 20);
                cluster.awaitHealthy(CONVERGE);
                gaps.add(writer.longestGapMillisSince(before));
            }
        } finally {
            writer.close();
        }
        Set<Long> stored = new HashSet<>();
        try (Connection connection = leader().connect(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT id FROM writer_ids")) {
            while (rows.next()) {
                stored.add(rows.getLong(1));
            }
        }
        List<Long> lost = writer.acknowledgedIds().stream().filter(id -> !stored.contains(id)).toList();
        List<Double> sorted = gaps.stream().sorted().toList();
        System.out.printf("MEASURE switchover: longest gap between acknowledged writes through HAProxy %s ms, median %.0f ms%n",
                gaps.stream().map(gap -> String.format("%.0f", gap)).toList(), sorted.get(sorted.size() / 2));
        assertThat(writer.acknowledgedIds()).hasSizeGreaterThan(60);
        assertThat(lost).as("acknowledged writes missing after three switchovers").isEmpty();
        JsonNode history = leader().json("/history");
        assertThat(history).hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    @Order(3)
    void aPatroni4StyleRestBodyDrivesASwitchover() throws Exception {
        AgentNode from = leader();
        AgentNode to = cluster.nodes.stream().filter(node -> node != from).findFirst().orElseThrow();
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + from.apiPort + "/switchover"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"leader\": \"" + from.name + "\", \"candidate\": \"" + to.name + "\"}"))
                .timeout(Duration.ofSeconds(90)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("Successfully switched over to \"" + to.name + "\"");
        cluster.awaitHealthy(CONVERGE);
        assertThat(cluster.primaries()).containsExactly(to);
    }

    @Test
    @Order(4)
    void impossibleRequestsFailWithOneLineAndAStableExitCode() {
        Run unknown = spilo("", "switchover", "-c", config, "--candidate", "nosuch", "--force");
        Run badConfig = spilo("", "list", "-c", "/nonexistent/spilo.yml");
        Run noTarget = spilo("", "list");

        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err().strip()).isEqualTo("spilo: member nosuch is not part of the cluster; 'spilo list' shows the members");
        assertThat(badConfig.exitCode()).isEqualTo(2);
        assertThat(noTarget.exitCode()).isEqualTo(2);
        Run declined = spilo("n\n", "switchover", "-c", config);
        assertThat(declined.exitCode()).isEqualTo(3);
    }

    @Test
    @Order(5)
    void editConfigReachesEveryMemberAndRestartClearsPendingRestart() throws Exception {
        Run workMem = spilo("", "edit-config", "-c", config, "-p", "work_mem=12MB", "--force");
        assertThat(workMem.exitCode()).as(workMem.err()).isZero();
        assertThat(workMem.out()).contains("+     work_mem: 12MB");
        for (AgentNode node : cluster.nodes) {
            await(node.name + " work_mem").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> show(node, "work_mem").equals("12MB"));
        }
        Run connections = spilo("", "edit-config", "-c", config, "-p", "max_connections=60", "--force");
        assertThat(connections.exitCode()).isZero();
        await("pending restart shown").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                .until(() -> spilo("", "list", "-c", config).out().contains("Pending restart"));
        Run restart = spilo("", "restart", "ops", "-c", config, "--pending", "--force");
        assertThat(restart.exitCode()).as(restart.out() + restart.err()).isZero();
        await("pending restart cleared").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> !spilo("", "list", "-c", config).out().contains("*"));
        assertThat(show(leader(), "max_connections")).isEqualTo("60");
        Run invalid = spilo("", "edit-config", "-c", config, "-s", "ttl=3", "--force");
        assertThat(invalid.exitCode()).isEqualTo(2);
        assertThat(invalid.err()).contains("loop_wait + 2 * retry_timeout must not exceed ttl");
        Run shown = spilo("", "show-config", "-c", config);
        assertThat(shown.out()).contains("work_mem: 12MB").contains("ttl: 10");
    }

    @Test
    @Order(5)
    void editConfigOpensTheEditorAndShowsTheDiff() throws Exception {
        java.nio.file.Path editor = cluster.directory.resolve("editor.sh");
        java.nio.file.Files.writeString(editor, "#!/bin/sh\nsed -i 's/loop_wait: 2/loop_wait: 1/' \"$1\"\n");
        editor.toFile().setExecutable(true);
        List<String> command = new ArrayList<>(AgentNode.spiloCommand("edit-config", "-c", config, "--force"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("EDITOR", editor.toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("- loop_wait: 2").contains("+ loop_wait: 1").contains("Configuration changed");
        assertThat(spilo("", "show-config", "-c", config).out()).contains("loop_wait: 1");
        assertThat(spilo("", "edit-config", "-c", config, "-s", "loop_wait=2", "--force").exitCode()).isZero();
    }

    private static String show(AgentNode node, String parameter) throws Exception {
        try (Connection connection = node.connect(); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SHOW " + parameter)) {
            row.next();
            return row.getString(1);
        }
    }

    @Test
    @Order(6)
    void pauseStopsAutomaticRestartAndResumeBringsItBack() throws Exception {
        Run pause = spilo("", "pause", "-c", config);
        assertThat(pause.exitCode()).as(pause.err()).isZero();
        AgentNode primary = leader();
        await("members see the pause").atMost(Duration.ofSeconds(30))
                .until(() -> cluster.nodes.stream().allMatch(node -> node.json("/patroni").path("pause").asBoolean(false)));
        assertThat(spilo("", "list", "-c", config).out()).contains("Maintenance mode: on");
        long postmaster = primary.postmasterPid().orElseThrow();
        Signals.send(postmaster, "KILL");
        // Three loop_waits: an unpaused agent restarts PostgreSQL within one.
        Thread.sleep(3 * 2000 + 1000);
        assertThat(primary.postmasterPid()).as("not restarted while paused").isEmpty();
        assertThat(cluster.nodes.stream().filter(node -> node != primary).allMatch(node -> node.status("/primary") == 503)).isTrue();
        assertThat(cluster.nodes.stream().filter(node -> node != primary).allMatch(AgentNode::isReadableStandby)).isTrue();

        Run resume = spilo("", "resume", "-c", config);
        assertThat(resume.exitCode()).isZero();
        cluster.awaitHealthy(CONVERGE);
    }

    @Test
    @Order(7)
    void historyDsnReloadAndReinit() throws Exception {
        Run history = spilo("", "history", "-c", config);
        assertThat(history.out()).contains("| TL |").contains("no recovery target specified");
        AgentNode primary = leader();
        assertThat(spilo("", "dsn", "-c", config).out().strip()).isEqualTo("host=127.0.0.1 port=" + primary.postgresPort);
        Run reload = spilo("", "reload", "ops", "-c", config);
        assertThat(reload.exitCode()).isZero();
        assertThat(reload.out()).contains("Reload request received for member node1");

        AgentNode replica = cluster.streamingReplicas().get(0);
        long before = replica.postmasterPid().orElseThrow();
        Run reinit = spilo("", "reinit", "ops", replica.name, "-c", config, "--force");
        assertThat(reinit.exitCode()).as(reinit.err()).isZero();
        Run refused = spilo("", "reinit", "ops", primary.name, "-c", config, "--force");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("I am the leader, can not reinitialize");
        await("replica cloned again").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                .until(() -> replica.postmasterPid().filter(pid -> pid != before).isPresent() && cluster.streamingReplicas().contains(replica));
        assertThat(spilo("", "version", "-c", config).out()).contains("node1: Spilo");
    }

    @Test
    @Order(8)
    void removeDeletesTheClusterFromEtcdAfterConfirmation() {
        cluster.nodes.forEach(node -> {
            if (node.agent() != null) {
                node.agent().close();
            }
        });
        Run wrongName = spilo("other\n", "remove", "ops", "-c", config);
        assertThat(wrongName.exitCode()).isEqualTo(3);
        // Stopped agents revoke their leases, but the cluster's permanent keys stay until removed.
        assertThat(spilo("", "show-config", "-c", config).out()).contains("ttl: 10");
        assertThat(spilo("", "list", "-c", config).out()).matches("(?s).*Cluster: ops \\(\\d+\\).*");

        Run removed = spilo("ops\nYes I am aware\n", "remove", "ops", "-c", config);
        assertThat(removed.exitCode()).as(removed.out() + removed.err()).isZero();
        assertThat(spilo("", "list", "-c", config).out()).contains("+ Cluster: ops -").doesNotContain("(");
        assertThat(spilo("", "show-config", "-c", config).out().strip()).isEqualTo("{}");
    }
}
