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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** An operator's view of the cluster: etcd for state, each member's REST API for actions. */
final class ClusterClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ClusterOptions.Target target;
    private final EtcdDcs dcs;
    private final HttpClient http;

    ClusterClient(ClusterOptions.Target target) {
        this.target = target;
        try {
            this.http = io.spilo.tls.RestClients.create(target.restClient(), Duration.ofSeconds(3));
        } catch (io.spilo.tls.TlsException e) {
            throw new CommandFailure(ExitCodes.USAGE, "ctl TLS: " + e.getMessage());
        }
        try {
            this.dcs = new EtcdDcs(target.etcd(), target.prefix(), "spilo-cli", Duration.ofSeconds(3));
        } catch (io.spilo.tls.TlsException e) {
            throw new CommandFailure(ExitCodes.USAGE, "configuration error: etcd3 TLS files (cacert, cert, key): " + e.getMessage());
        }
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
            throw etcdUnreachable(e);
        }
    }

    private CommandFailure etcdUnreachable(DcsException e) {
        return new CommandFailure(ExitCodes.FAILURE, EtcdMessages.describe(e));
    }

    /** A view of the cluster, and where it came from when that was not etcd. */
    record Snapshot(ClusterView view, Optional<String> source) {
    }

    /**
     * etcd's view; when etcd cannot be read and the configuration names a member, that member's
     * last view ({@code GET /cluster}), labelled as such: during an etcd outage (failsafe mode) the
     * operator still sees who leads. Fails with etcd's error when neither answers.
     */
    Snapshot readOrLastKnown() {
        try {
            return new Snapshot(dcs.read(), Optional.empty());
        } catch (DcsException e) {
            CommandFailure etcdError = etcdUnreachable(e);
            if (e.kind() != DcsException.Kind.UNREACHABLE) {
                throw etcdError; // a refusal (TLS, credentials) is the operator's to fix, not to paper over
            }
            URI local = target.localApi().orElseThrow(() -> etcdError);
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(local.resolve("cluster"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                JsonNode body = JSON.readTree(response.body());
                if (response.statusCode() != 200 || body.path("members").isEmpty()) {
                    throw etcdError;
                }
                return new Snapshot(LastKnownView.fromClusterBody(body), Optional.of(etcdError.getMessage()
                        + "; showing what the member at " + local + " last read from etcd"));
            } catch (IOException unanswered) {
                throw etcdError;
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw etcdError;
            }
        }
    }

    /**
     * {@code GET /patroni} of every member at once, each within {@code timeout}; a member that does
     * not answer (or answers with something other than JSON) is absent from the result.
     */
    Map<String, JsonNode> statuses(List<Member> members, Duration timeout) {
        Map<String, CompletableFuture<HttpResponse<String>>> calls = new LinkedHashMap<>();
        for (Member member : members) {
            try {
                calls.put(member.name(), http.sendAsync(HttpRequest.newBuilder(URI.create(member.apiUrl())).timeout(timeout).build(),
                        HttpResponse.BodyHandlers.ofString()));
            } catch (IllegalArgumentException malformedUrl) {
                // a member without a usable api_url has no status to show
            }
        }
        Map<String, JsonNode> statuses = new LinkedHashMap<>();
        calls.forEach((name, call) -> {
            try {
                JsonNode body = JSON.readTree(call.get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS).body());
                if (body.isObject()) {
                    statuses.put(name, body);
                }
            } catch (IOException | ExecutionException | TimeoutException unanswered) {
                call.cancel(true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return statuses;
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

    @Override
    public void close() {
        dcs.close();
    }
}
