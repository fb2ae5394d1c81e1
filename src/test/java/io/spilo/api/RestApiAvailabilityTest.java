package io.spilo.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.spilo.config.HostPort;
import io.spilo.config.RestApiConfig;
import io.spilo.config.TimingSettings;
import io.spilo.ha.ActionOutcome;
import io.spilo.ha.HaSettings;
import io.spilo.ha.NodeStatus;
import io.spilo.postgres.LocalState;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 4: health checks are what HAProxy routes by, so neither slow clients nor long
 * actions may make them wait (four slow connections used to take every member out of HAProxy).
 */
class RestApiAvailabilityTest {
    private static final HaSettings SETTINGS = new HaSettings("node1", new TimingSettings(10, 2, 3), 1_048_576, false, 1, false,
            300, false, HaSettings.Synchronous.OFF, true, 20, false);
    private final FakeClusterControl control = new FakeClusterControl();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Socket> slowClients = new ArrayList<>();
    private RestApi api;

    @BeforeEach
    void start() {
        NodeStatus status = new NodeStatus("demo", "node1", "running", "replica", LocalState.empty(), OptionalLong.empty(), 0, 0,
                Optional.empty(), "", SETTINGS, Map.of(), Optional.empty(), io.spilo.fence.FenceState.DISARMED, OptionalLong.empty(), OptionalLong.empty(), false);
        HostPort loopback = new HostPort("127.0.0.1", 0);
        api = RestApi.bind(new RestApiConfig(loopback, loopback, Optional.empty()),
                () -> status, System::nanoTime, control);
        api.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (Socket socket : slowClients) {
            socket.close();
        }
        control.pendingActions.ifPresent(pending -> pending.complete(new ActionOutcome.Done("done")));
        api.close();
    }

    private HttpResponse<String> call(String method, String path, Duration timeout) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .method(method, HttpRequest.BodyPublishers.ofString("{}")).timeout(timeout).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void clientsThatSendHalfARequestDoNotDelayHealthChecks() throws Exception {
        for (int i = 0; i < 16; i++) {
            Socket socket = new Socket("127.0.0.1", api.port());
            OutputStream out = socket.getOutputStream();
            out.write("G".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            slowClients.add(socket);
        }

        long started = System.nanoTime();
        HttpResponse<String> health = call("GET", "/replica", Duration.ofSeconds(3));

        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void actionsBeyondTheLimitAreRefusedAndHealthChecksStillAnswer() throws Exception {
        CompletableFuture<ActionOutcome> busy = new CompletableFuture<>();
        control.pendingActions = Optional.of(busy);
        List<CompletableFuture<HttpResponse<String>>> running = new ArrayList<>();
        for (int i = 0; i < RestApi.CONCURRENT_ACTIONS; i++) {
            running.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/reload"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> control.actions.size() == RestApi.CONCURRENT_ACTIONS);

        HttpResponse<String> refused = call("POST", "/restart", Duration.ofSeconds(5));
        HttpResponse<String> health = call("GET", "/replica", Duration.ofSeconds(2));

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body()).contains("busy");
        assertThat(health.statusCode()).isEqualTo(503);
        busy.complete(new ActionOutcome.Accepted("reload scheduled"));
        for (CompletableFuture<HttpResponse<String>> response : running) {
            assertThat(response.get().statusCode()).isEqualTo(202);
        }
    }
}
