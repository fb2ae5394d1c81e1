package io.spilo.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spilo.config.Credentials;
import io.spilo.config.HostPort;
import io.spilo.config.RestApiConfig;
import io.spilo.config.TimingSettings;
import io.spilo.dcs.Switchover;
import io.spilo.ha.AgentAction;
import io.spilo.ha.HaSettings;
import io.spilo.ha.NodeStatus;
import io.spilo.postgres.LocalState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The write endpoints over a real socket against an in-memory cluster. */
class RestApiActionsTest {
    private static final HaSettings SETTINGS = new HaSettings("node1", new TimingSettings(4, 1, 1), 1_048_576, false, 1, false, 300, false, HaSettings.Synchronous.OFF, true, 20, false);
    private final FakeClusterControl control = new FakeClusterControl();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private RestApi api;

    private void start(Optional<Credentials> authentication) {
        NodeStatus status = new NodeStatus("demo", "node1", "running", "primary", LocalState.empty(), OptionalLong.empty(), 0, 0,
                Optional.empty(), "", SETTINGS, Map.of(), Optional.empty(), io.spilo.fence.FenceState.DISARMED, OptionalLong.empty(), OptionalLong.empty(), false);
        HostPort loopback = new HostPort("127.0.0.1", 0);
        api = RestApi.bind(new RestApiConfig(loopback, loopback, authentication),
                () -> status, System::nanoTime, control);
        api.start();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private HttpResponse<String> call(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .method(method, HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(30));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aPatroni4SwitchoverBodyHandsLeadershipToTheCandidate() throws Exception {
        start(Optional.empty());
        control.electOnRequest = Optional.of("node2");

        HttpResponse<String> response = call("POST", "/switchover", "{\"leader\": \"node1\", \"candidate\": \"node2\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("Successfully switched over to \"node2\"");
        assertThat(control.requests).containsExactly(new Switchover(Optional.of("node1"), Optional.of("node2"), Optional.empty()));
    }

    @Test
    void patroni3sMasterFieldIsAccepted() throws Exception {
        start(Optional.empty());
        control.electOnRequest = Optional.of("node2");

        assertThat(call("POST", "/switchover", "{\"master\": \"node1\", \"candidate\": \"node2\"}").statusCode()).isEqualTo(200);
    }

    @Test
    void aScheduledSwitchoverIsAcceptedWith202AndCanBeCancelled() throws Exception {
        start(Optional.empty());

        HttpResponse<String> scheduled = call("POST", "/switchover",
                "{\"leader\": \"node1\", \"candidate\": \"node2\", \"scheduled_at\": \"2099-01-01T00:00:00+00:00\"}");
        HttpResponse<String> again = call("POST", "/switchover", "{\"leader\": \"node1\", \"candidate\": \"node2\"}");
        HttpResponse<String> cancelled = call("DELETE", "/switchover", "");
        HttpResponse<String> nothingLeft = call("DELETE", "/switchover", "");

        assertThat(scheduled.statusCode()).isEqualTo(202);
        assertThat(scheduled.body()).isEqualTo("Switchover scheduled");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(cancelled.statusCode()).isEqualTo(200);
        assertThat(nothingLeft.statusCode()).isEqualTo(404);
    }

    @Test
    void impossibleSwitchoversAreRefusedAsPatroniDoes() throws Exception {
        start(Optional.empty());

        assertThat(call("POST", "/switchover", "{\"candidate\": \"node2\"}").statusCode()).isEqualTo(400);
        assertThat(call("POST", "/switchover", "{\"leader\": \"node2\", \"candidate\": \"node3\"}").statusCode()).isEqualTo(412);
        assertThat(call("POST", "/switchover", "{\"leader\": \"node1\", \"candidate\": \"node9\"}").statusCode()).isEqualTo(412);
        assertThat(call("POST", "/switchover", "{\"leader\": \"node1\", \"candidate\": \"node3\"}").body()).contains("nofailover");
        assertThat(call("POST", "/switchover", "{\"leader\": \"node1\", \"candidate\": \"node1\"}").statusCode()).isEqualTo(412);
        assertThat(call("POST", "/failover", "{\"leader\": \"node1\"}").statusCode()).isEqualTo(400);
        assertThat(call("POST", "/switchover",
                "{\"leader\": \"node1\", \"candidate\": \"node2\", \"scheduled_at\": \"tomorrow\"}").statusCode()).isEqualTo(400);
        assertThat(call("POST", "/switchover",
                "{\"leader\": \"node1\", \"candidate\": \"node2\", \"scheduled_at\": \"2001-01-01T00:00:00+00:00\"}").statusCode()).isEqualTo(422);
        assertThat(control.requests).isEmpty();
    }

    @Test
    void aPausedClusterNeedsANamedCandidate() throws Exception {
        start(Optional.empty());
        control.view = FakeClusterControl.cluster(Optional.of("node1"), Optional.empty(), true);

        HttpResponse<String> response = call("POST", "/switchover", "{\"leader\": \"node1\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("paused");
    }

    @Test
    void malformedBodiesGet400WithAMessage() throws Exception {
        start(Optional.empty());

        HttpResponse<String> notJson = call("POST", "/switchover", "{leader: node1");
        HttpResponse<String> notAnObject = call("PATCH", "/config", "[1, 2]");
        HttpResponse<String> wrongType = call("POST", "/switchover", "{\"leader\": 7}");

        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(notJson.body()).startsWith("Invalid JSON");
        assertThat(notAnObject.statusCode()).isEqualTo(400);
        assertThat(wrongType.statusCode()).isEqualTo(400);
        assertThat(wrongType.body()).isEqualTo("leader must be a string");
    }

    @Test
    void patchConfigMergesAndNullDeletes() throws Exception {
        start(Optional.empty());

        HttpResponse<String> response = call("PATCH", "/config", "{\"loop_wait\": 5, \"retry_timeout\": null, \"postgresql\": {\"parameters\": {\"work_mem\": \"8MB\"}}}");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode config = new ObjectMapper().readTree(response.body());
        assertThat(config.path("loop_wait").asInt()).isEqualTo(5);
        assertThat(config.has("retry_timeout")).isFalse();
        assertThat(config.path("postgresql").path("parameters").path("work_mem").asText()).isEqualTo("8MB");
        assertThat(control.view.config().json().path("ttl").asInt()).isEqualTo(30);
    }

    @Test
    void aConfigBreakingTheTimingRuleIsRefused() throws Exception {
        start(Optional.empty());

        HttpResponse<String> response = call("PATCH", "/config", "{\"ttl\": 20}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("loop_wait + 2 * retry_timeout must not exceed ttl");
        assertThat(control.configWrites).isZero();
    }

    @Test
    void parametersThatWouldBreakPostgresqlConfAreRefusedWithTheirName() throws Exception {
        start(Optional.empty());
        control.knownParameters = java.util.Set.of("work_mem", "max_connections");

        HttpResponse<String> lineBreak = call("PATCH", "/config",
                "{\"postgresql\": {\"parameters\": {\"work_mem\": \"8MB'\\nshared_preload_libraries = 'evil\"}}}");
        HttpResponse<String> typo = call("PATCH", "/config", "{\"postgresql\": {\"parameters\": {\"work_men\": \"8MB\"}}}");
        HttpResponse<String> badName = call("PATCH", "/config", "{\"postgresql\": {\"parameters\": {\"a = b\": \"1\"}}}");
        HttpResponse<String> extension = call("PATCH", "/config",
                "{\"postgresql\": {\"parameters\": {\"work_mem\": \"8MB\", \"pg_stat_statements.max\": 5000}}}");

        assertThat(lineBreak.statusCode()).isEqualTo(400);
        assertThat(lineBreak.body()).contains("postgresql.parameters.work_mem").contains("control character");
        assertThat(typo.statusCode()).isEqualTo(400);
        assertThat(typo.body()).contains("postgresql.parameters.work_men");
        assertThat(badName.statusCode()).isEqualTo(400);
        assertThat(extension.statusCode()).isEqualTo(200);
        assertThat(control.configWrites).isEqualTo(1);
    }

    @Test
    void aConcurrentConfigChangeGets409() throws Exception {
        start(Optional.empty());
        control.staleRevision = control.view.config().modRevision();

        assertThat(call("PATCH", "/config", "{\"loop_wait\": 5}").statusCode()).isEqualTo(409);
    }

    @Test
    void putConfigReplacesTheWholeConfiguration() throws Exception {
        start(Optional.empty());

        HttpResponse<String> response = call("PUT", "/config", "{\"ttl\": 9, \"loop_wait\": 1, \"retry_timeout\": 4}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(control.view.config().json().toString()).isEqualTo("{\"ttl\":9,\"loop_wait\":1,\"retry_timeout\":4}");
    }

    @Test
    void restartReloadAndReinitializeGoToTheAgent() throws Exception {
        start(Optional.empty());

        assertThat(call("POST", "/restart", "{\"restart_pending\": true, \"role\": \"master\", \"timeout\": 30}").statusCode()).isEqualTo(200);
        assertThat(call("POST", "/reload", "").statusCode()).isEqualTo(200);
        assertThat(call("POST", "/reinitialize", "{\"force\": true}").statusCode()).isEqualTo(200);
        assertThat(call("DELETE", "/restart", "").statusCode()).isEqualTo(200);

        assertThat(control.actions).containsExactly(
                new AgentAction.Restart(true, Optional.of("primary"), Optional.empty(), Optional.of(Duration.ofSeconds(30))),
                new AgentAction.Reload(), new AgentAction.Reinitialize(true), new AgentAction.CancelRestart());
        assertThat(call("POST", "/restart", "{\"role\": \"boss\"}").statusCode()).isEqualTo(400);
        assertThat(call("POST", "/restart", "{\"timeout\": \"soon\"}").statusCode()).isEqualTo(400);
    }

    @Test
    void withAuthenticationEveryActionNeedsCredentialsAndHealthChecksStayOpen() throws Exception {
        start(Optional.of(new Credentials("admin", "s3cret")));
        String good = "Basic " + Base64.getEncoder().encodeToString("admin:s3cret".getBytes(StandardCharsets.UTF_8));
        String bad = "Basic " + Base64.getEncoder().encodeToString("admin:guess".getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> anonymous = call("POST", "/reload", "");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"Spilo\"");
        assertThat(call("POST", "/reload", "", "Authorization", bad).statusCode()).isEqualTo(401);
        assertThat(call("POST", "/reload", "", "Authorization", good).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/patroni", "").statusCode()).isEqualTo(200);
        assertThat(call("GET", "/patroni", "").body()).doesNotContain("s3cret");
        assertThat(control.actions).hasSize(1);
    }

    @Test
    void postFailsafeAnswersAsPatroniDoes() throws Exception {
        start(Optional.empty());
        String body = "{\"name\": \"node1\", \"conn_url\": \"postgres://127.0.0.1:5432/postgres\","
                + " \"api_url\": \"http://127.0.0.1:8008/patroni\"}";

        HttpResponse<String> accepted = call("POST", "/failsafe", body);
        assertThat(accepted.statusCode()).isEqualTo(200);
        assertThat(accepted.body()).isEqualTo("Accepted");
        assertThat(control.failsafeCallers).containsExactly("node1");

        control.failsafeReply = io.spilo.ha.FailsafeReply.RUNNING_AS_LEADER;
        HttpResponse<String> refused = call("POST", "/failsafe", body);
        assertThat(refused.statusCode()).isEqualTo(500);
        assertThat(refused.body()).isEqualTo("Running as a leader");

        control.failsafeReply = io.spilo.ha.FailsafeReply.NOT_ENABLED;
        assertThat(call("POST", "/failsafe", body).statusCode()).isEqualTo(502);
        assertThat(call("POST", "/failsafe", "{}").statusCode()).isEqualTo(400);
    }
}
