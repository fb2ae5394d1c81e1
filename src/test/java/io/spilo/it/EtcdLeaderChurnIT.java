package io.spilo.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 13: the etcd leader killed (SIGKILL, then restarted) every 5 s for 2 minutes, three etcd
 * members and failsafe mode on, ttl 10 / loop_wait 2 / retry_timeout 3. Each kill leaves etcd
 * without a leader for an election; none of that may cost the cluster its primary: no demotion, no
 * PostgreSQL restart, no new timeline, and the writers through HAProxy and directly on the
 * members keep their guarantees. Both replication modes.
 */
class EtcdLeaderChurnIT {
    private static final Duration CHURN = Duration.ofSeconds(Long.getLong("spilo.churn.seconds", 120));
    private static final Duration EVERY = Duration.ofSeconds(5);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "synchronous_mode {0}")
    @ValueSource(booleans = {false, true})
    void killingTheEtcdLeaderEveryFiveSecondsNeitherDemotesNorRestartsThePrimary(boolean synchronous) throws Exception {
        String reason = NetworkLab.unavailableReason();
        assumeTrue(reason.isEmpty(), "skipped: " + reason);
        try (FaultCluster cluster = new FaultCluster("churn", synchronous, new io.spilo.config.TimingSettings(10, 2, 3), true)) {
            cluster.start();
            AgentNode primary = cluster.primary();
            long postmaster = primary.postmasterPid().orElseThrow();
            int timeline = primary.timeline();
            long from = System.currentTimeMillis();
            long end = System.nanoTime() + CHURN.toNanos();
            List<String> roles = new ArrayList<>();
            int kills = 0;
            long nextKill = System.nanoTime();
            while (System.nanoTime() < end) {
                if (System.nanoTime() >= nextKill) {
                    // Only a cluster with all three members up loses a leader, never its quorum.
                    Awaitility.await("all three etcd members healthy").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                            .until(() -> healthyMembers(cluster) == 3);
                    int leader = Awaitility.await("an etcd leader").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                            .until(() -> etcdLeader(cluster), Optional::isPresent).orElseThrow();
                    cluster.etcd.get(leader).signal("KILL");
                    cluster.etcd.get(leader).close();
                    cluster.startEtcd(leader);
                    kills++;
                    nextKill = System.nanoTime() + EVERY.toNanos();
                }
                String role = primary.json("/patroni").path("role").asText("no answer");
                roles.add(role);
                assertThat(cluster.primaries()).as("primaries during the churn (kill %d)", kills).containsExactly(primary);
                Thread.sleep(250);
            }
            long to = System.currentTimeMillis();
            cluster.awaitHealthy();
            cluster.stopWriter();
            FaultSuiteIT.Outcome pooled = FaultSuiteIT.analyse("etcd leader churn", FaultSuiteIT.readLog(cluster.writerLog), from, to, true);
            List<String[]> direct = new ArrayList<>();
            cluster.writerLogs.forEach((name, log) -> {
                if (name.startsWith("direct")) {
                    try {
                        direct.addAll(FaultSuiteIT.readLog(log));
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            direct.sort(java.util.Comparator.comparingLong(line -> Long.parseLong(line[2])));
            FaultSuiteIT.Outcome bypass = FaultSuiteIT.analyse("etcd leader churn", direct, from, to, true);
            System.out.printf("MEASURE etcd leader churn (sync %s): %d etcd leaders killed in %d s; pooled writer via HAProxy %d acknowledged,"
                    + " longest gap %.1f s; direct writers %d acknowledged, split-brain %d%n", synchronous, kills, CHURN.toSeconds(),
                    pooled.acknowledged(), pooled.longestGapSeconds(), bypass.acknowledged(), bypass.splitBrainWrites());

            assertThat(kills).as("etcd leaders killed").isGreaterThanOrEqualTo((int) (CHURN.toSeconds() / EVERY.toSeconds()) - 2);
            assertThat(roles).as("the primary's role, sampled every 250 ms").containsOnly("primary");
            assertThat(primary.postmasterPid()).as("the same postmaster: PostgreSQL was not restarted").contains(postmaster);
            assertThat(primary.timeline()).as("no new timeline").isEqualTo(timeline);
            assertThat(cluster.primary()).isSameAs(primary);
            assertThat(pooled.splitBrainWrites()).isZero();
            assertThat(bypass.splitBrainWrites()).isZero();
            assertThat(pooled.acknowledged()).as("writes through HAProxy went on").isGreaterThan(CHURN.toSeconds());
        }
    }

    private static int healthyMembers(FaultCluster cluster) {
        int healthy = 0;
        for (String address : cluster.etcdAddresses()) {
            healthy += status(address).map(status -> status.has("leader") && !status.path("leader").asText("0").equals("0") ? 1 : 0)
                    .orElse(0);
        }
        return healthy;
    }

    /** The index of the member that says it is etcd's leader, if one does. */
    private static Optional<Integer> etcdLeader(FaultCluster cluster) {
        List<String> addresses = cluster.etcdAddresses();
        for (int i = 0; i < addresses.size(); i++) {
            Optional<JsonNode> status = status(addresses.get(i));
            if (status.isPresent() && status.get().path("header").path("member_id").asText().equals(status.get().path("leader").asText("-"))) {
                return Optional.of(i);
            }
        }
        return Optional.empty();
    }

    /** etcd's maintenance status of one member (its JSON gateway), empty when it does not answer. */
    private static Optional<JsonNode> status(String address) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + address + ":2379/v3/maintenance/status"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).timeout(Duration.ofSeconds(1)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? Optional.of(JSON.readTree(response.body())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
