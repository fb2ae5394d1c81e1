package io.spilo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.DcsException;
import io.spilo.dcs.Member;
import io.spilo.dcs.etcd.EtcdDcs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** An operator's view of the cluster: etcd for state, each member's REST API for actions. */
final class ClusterClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ClusterOptions.Target target;
    private final EtcdDcs dcs;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    ClusterClient(ClusterOptions.Target target) {
        this.target = target;
        this.dcs = new EtcdDcs(target.etcd(), target.prefix(), "spilo-cli", Duration.ofSeconds(3));
    }

    String scope() {
        return target.scope();
    }

    EtcdDcs dcs() {
        return dcs;
    }

    ClusterView read() {
        try {
            return dcs.read();
        } catch (DcsException e) {
            throw new CommandFailure(ExitCodes.FAILURE, "cannot reach etcd at " + String.join(",", target.etcd().endpoints())
                    + ": " + e.getMessage());
        }
    }

    /** The response of one REST call to a member: status code and body. */
    record Reply(int status, String body) {
        boolean succeeded() {
            return status >= 200 && status < 300;
        }
    }

    /** Calls {@code method path} on {@code member}'s REST API with the configured credentials. */
    Reply call(Member member, String method, String path, String body, Duration timeout) {
        URI base = URI.create(member.apiUrl());
        URI uri = base.resolve(path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        target.restAuthentication().ifPresent(credentials -> request.header("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((credentials.username() + ":" + credentials.password()).getBytes(StandardCharsets.UTF_8))));
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new CommandFailure(ExitCodes.FAILURE, "member " + member.name() + " (" + member.apiUrl() + ") did not answer: "
                    + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailure(ExitCodes.FAILURE, "interrupted");
        }
    }

    /** GET /patroni of a member, or an empty object when it does not answer. */
    JsonNode status(Member member) {
        try {
            Reply reply = call(member, "GET", "/patroni", "", Duration.ofSeconds(2));
            return JSON.readTree(reply.body());
        } catch (CommandFailure | IOException e) {
            return JSON.createObjectNode();
        }
    }

    @Override
    public void close() {
        dcs.close();
    }
}
