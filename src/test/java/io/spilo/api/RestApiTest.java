package io.spilo.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spilo.config.HostPort;
import io.spilo.config.RestApiConfig;
import io.spilo.config.TimingSettings;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.DynamicConfig;
import io.spilo.dcs.Leader;
import io.spilo.dcs.Member;
import io.spilo.ha.HaSettings;
import io.spilo.ha.NodeStatus;
import io.spilo.postgres.LocalState;
import io.spilo.postgres.ReplicationConnection;
import io.spilo.postgres.RunState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The REST API over a real loopback socket, fed a hand-made status and a fake clock. */
class RestApiTest {
    private static final long SECOND = 1_000_000_000L;
    private static final HaSettings SETTINGS = new HaSettings("node1", new TimingSettings(30, 10, 10), 1_048_576, false, 1, false, 300, false, HaSettings.Synchronous.OFF, true, 20, false);
    private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
    private final AtomicReference<NodeStatus> status = new AtomicReference<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private RestApi api;

    @BeforeEach
    void start() {
        HostPort loopback = new HostPort("127.0.0.1", 0);
        api = RestApi.bind(new RestApiConfig(loopback, loopback, Optional.empty()),
                status::get, clock::get, new FakeClusterControl());
        api.start();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private static ClusterView cluster(long optime) {
        return cluster(optime, Optional.empty());
    }

    private static ClusterView cluster(long optime, Optional<io.spilo.dcs.SyncState> sync) {
        Member node1 = new Member("node1", "postgres://127.0.0.1:5432/postgres", "http://127.0.0.1:8008/patroni", "running", "primary", 500, 1, Map.of());
        Member node2 = new Member("node2", "postgres://127.0.0.1:5433/postgres", "http://127.0.0.1:8009/patroni", "running", "replica", 400, 1, Map.of());
        return new ClusterView(Optional.of("1"), Optional.of(new Leader("node1", 1, 1)), List.of(node2, node1),
                new DynamicConfig(new ObjectMapper().createObjectNode().put("ttl", 30), 5), true, optime,
                List.of(new io.spilo.dcs.HistoryEntry(1, 400, "no recovery target specified", "2026-11-27T03:48:37.768655+00:00", "node1")),
                sync, Optional.empty(), 1);
    }

    private NodeStatus primary(OptionalLong confirmedAt) {
        LocalState local = new LocalState(true, RunState.RUNNING, Optional.of(1L), Optional.of("1"), false, 1, 500, 500,
                Optional.empty(), Optional.empty(), false, 150018, Optional.of("2026-11-27 03:50:58.555399+00:00"),
                List.of(new ReplicationConnection("node2", "127.0.0.1", "streaming", 0, "async", "replicator", 0)), Optional.empty(), 0, false);
        return new NodeStatus("demo", "node1", "running", "primary", local, confirmedAt, 1795751501, clock.get(),
                Optional.of(cluster(500)), "", SETTINGS, Map.of(), Optional.empty(), io.spilo.fence.FenceState.DISARMED, OptionalLong.empty(), OptionalLong.empty(), false);
    }

    private NodeStatus replica(long wal, Map<String, Object> tags) {
        LocalState local = new LocalState(true, RunState.RUNNING, Optional.of(1L), Optional.of("1"), true, 1, wal, wal,
                Optional.empty(), Optional.of("127.0.0.1:5432"), true, 150018, Optional.of("2026-11-27 03:50:58.555399+00:00"), List.of(), Optional.empty(), 0, false);
        return new NodeStatus("demo", "node2", "running", "replica", local, OptionalLong.empty(), 1795751501, clock.get(),
                Optional.of(cluster(500)), "", SETTINGS, tags, Optional.empty(), io.spilo.fence.FenceState.DISARMED, OptionalLong.empty(), OptionalLong.empty(), false);
    }

    private HttpResponse<String> call(String method, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(5)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aConfirmedPrimaryAnswers200OnEveryPrimaryAliasAnd503AsReplica() throws Exception {
        status.set(primary(OptionalLong.of(clock.get())));

        for (String path : List.of("/", "/primary", "/master", "/leader", "/read-write", "/read-only", "/health", "/readiness")) {
            assertThat(call("GET", path).statusCode()).as(path).isEqualTo(200);
        }
        assertThat(call("GET", "/replica").statusCode()).isEqualTo(503);
    }

    @Test
    void primaryTurns503OnceLeadershipIsNoLongerConfirmedWhateverPostgresSays() throws Exception {
        status.set(primary(OptionalLong.of(clock.get())));
        clock.addAndGet(SETTINGS.leadershipValidityNanos() - 1);
        assertThat(call("GET", "/primary").statusCode()).isEqualTo(200);

        clock.addAndGet(1);
        assertThat(call("GET", "/primary").statusCode()).isEqualTo(503);
        assertThat(call("GET", "/primary").body()).contains("\"leadership\":\"unconfirmed\"");
    }

    @Test
    void aReplicaAnswers200AsReplicaOnly() throws Exception {
        status.set(replica(400, Map.of()));

        assertThat(call("GET", "/replica").statusCode()).isEqualTo(200);
        assertThat(call("GET", "/read-only").statusCode()).isEqualTo(200);
        assertThat(call("GET", "/primary").statusCode()).isEqualTo(503);
        assertThat(call("GET", "/master").statusCode()).isEqualTo(503);
    }

    @Test
    void replicaLagFilterUsesTheLeadersPublishedPosition() throws Exception {
        status.set(replica(400, Map.of()));

        assertThat(call("GET", "/replica?lag=100").statusCode()).isEqualTo(200);
        assertThat(call("GET", "/replica?lag=99").statusCode()).isEqualTo(503);
        assertThat(call("GET", "/replica?lag=1kB").statusCode()).isEqualTo(200);
    }

    @Test
    void aReplicaTaggedNoloadbalanceIsNotOfferedForReads() throws Exception {
        status.set(replica(400, Map.of("noloadbalance", true)));

        assertThat(call("GET", "/replica").statusCode()).isEqualTo(503);
    }

    @Test
    void headAndOptionsAnswerTheStatusLineOnly() throws Exception {
        status.set(replica(400, Map.of()));

        HttpResponse<String> head = call("HEAD", "/replica");
        HttpResponse<String> options = call("OPTIONS", "/primary");

        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(options.statusCode()).isEqualTo(503);
        assertThat(options.body()).isEmpty();
    }

    @Test
    void patroniStatusUsesPatronisFieldNames() throws Exception {
        status.set(primary(OptionalLong.of(clock.get())));

        JsonNode body = new ObjectMapper().readTree(call("GET", "/patroni").body());

        assertThat(body.path("state").asText()).isEqualTo("running");
        assertThat(body.path("role").asText()).isEqualTo("primary");
        assertThat(body.path("server_version").asInt()).isEqualTo(150018);
        assertThat(body.path("xlog").path("location").asLong()).isEqualTo(500);
        assertThat(body.path("timeline").asInt()).isEqualTo(1);
        assertThat(body.path("database_system_identifier").asText()).isEqualTo("1");
        assertThat(body.path("dcs_last_seen").asLong()).isEqualTo(1795751501);
        assertThat(body.path("postmaster_start_time").asText()).isEqualTo("2026-11-27 03:50:58.555399+00:00");
        assertThat(body.path("patroni").path("scope").asText()).isEqualTo("demo");
        assertThat(body.path("replication").get(0).path("application_name").asText()).isEqualTo("node2");
        assertThat(body.path("replication").get(0).path("sync_state").asText()).isEqualTo("async");
    }

    @Test
    void clusterListsMembersByNameWithLeaderRoleAndLag() throws Exception {
        status.set(replica(400, Map.of()));

        JsonNode members = new ObjectMapper().readTree(call("GET", "/cluster").body()).path("members");

        assertThat(members.get(0).path("name").asText()).isEqualTo("node1");
        assertThat(members.get(0).path("role").asText()).isEqualTo("leader");
        assertThat(members.get(0).has("lag")).isFalse();
        assertThat(members.get(1).path("role").asText()).isEqualTo("replica");
        assertThat(members.get(1).path("lag").asLong()).isEqualTo(100);
        assertThat(members.get(1).path("port").asInt()).isEqualTo(5433);
    }

    @Test
    void livenessAndReadinessHaveNoBody() throws Exception {
        status.set(replica(400, Map.of()));

        HttpResponse<String> liveness = call("GET", "/liveness");

        assertThat(liveness.statusCode()).isEqualTo(200);
        assertThat(liveness.body()).isEmpty();
        clock.addAndGet(31 * SECOND);
        assertThat(call("GET", "/liveness").statusCode()).as("a loop silent for longer than ttl is not alive").isEqualTo(503);
    }

    @Test
    void metricsUsePatronisNamesInPrometheusText() throws Exception {
        status.set(primary(OptionalLong.of(clock.get())));

        HttpResponse<String> metrics = call("GET", "/metrics");

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        assertThat(metrics.body())
                .contains("# TYPE patroni_primary gauge")
                .contains("patroni_primary{scope=\"demo\",name=\"node1\"} 1\n")
                .contains("patroni_replica{scope=\"demo\",name=\"node1\"} 0\n")
                .contains("patroni_xlog_location{scope=\"demo\",name=\"node1\"} 500\n")
                .contains("patroni_postgres_timeline{scope=\"demo\",name=\"node1\"} 1\n")
                .contains("patroni_dcs_last_seen{scope=\"demo\",name=\"node1\"} 1795751501\n")
                .contains("patroni_is_paused{scope=\"demo\",name=\"node1\"} 0\n")
                .contains("patroni_postmaster_start_time{scope=\"demo\",name=\"node1\"} 1.795751458555E9\n");
        assertThat(Metrics.versionNumber()).isEqualTo("000100");
    }

    @Test
    void replicaLagIsAMetric() throws Exception {
        status.set(replica(400, Map.of()));

        assertThat(call("GET", "/metrics").body()).contains("spilo_replication_lag_bytes{scope=\"demo\",name=\"node2\"} 100\n")
                .contains("patroni_xlog_received_location{scope=\"demo\",name=\"node2\"} 400\n");
    }

    @Test
    void syncAndAsyncFollowTheSyncKey() throws Exception {
        status.set(replica(400, Map.of()));
        assertThat(call("GET", "/sync").statusCode()).isEqualTo(503);
        assertThat(call("GET", "/async").statusCode()).isEqualTo(200);

        NodeStatus replica = replica(400, Map.of());
        io.spilo.dcs.SyncState sync = new io.spilo.dcs.SyncState(Optional.of("node1"), List.of("node2"), 3);
        status.set(new NodeStatus(replica.scope(), replica.memberName(), replica.state(), replica.role(), replica.postgres(),
                replica.leadershipConfirmedAtNanos(), replica.dcsLastSeenEpochSeconds(), replica.cycleCompletedAtNanos(),
                Optional.of(cluster(500, Optional.of(sync))), "", SETTINGS, Map.of(), Optional.empty(), io.spilo.fence.FenceState.DISARMED, OptionalLong.empty(), OptionalLong.empty(), false));
        assertThat(call("GET", "/sync").statusCode()).isEqualTo(200);
        assertThat(call("GET", "/async").statusCode()).isEqualTo(503);
    }

    @Test
    void historyAndConfigComeFromTheStore() throws Exception {
        status.set(replica(400, Map.of()));

        JsonNode history = new ObjectMapper().readTree(call("GET", "/history").body());
        JsonNode config = new ObjectMapper().readTree(call("GET", "/config").body());

        assertThat(history.get(0).get(0).asInt()).isEqualTo(1);
        assertThat(history.get(0).get(3).asText()).isEqualTo("2026-11-27T03:48:37.768655+00:00");
        assertThat(config.path("ttl").asInt()).isEqualTo(30);
    }

    @Test
    void unknownPathsAndActionsGetAClearAnswer() throws Exception {
        status.set(replica(400, Map.of()));

        assertThat(call("GET", "/nope").statusCode()).isEqualTo(404);
        HttpResponse<String> post = call("POST", "/nothing");
        assertThat(post.statusCode()).isEqualTo(404);
    }

    @Test
    void aTakenPortIsReportedWithWhatToDo() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> RestApi.bind(new RestApiConfig(new HostPort("127.0.0.1", api.port()), new HostPort("127.0.0.1", api.port()),
                                Optional.empty()), status::get, clock::get, new FakeClusterControl()))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("restapi.listen 127.0.0.1:" + api.port())
                .hasMessageContaining("choose another restapi.listen port");
    }
}
