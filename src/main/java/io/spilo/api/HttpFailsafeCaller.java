package io.spilo.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.spilo.config.Credentials;
import io.spilo.dcs.Member;
import io.spilo.ha.FailsafeCaller;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The leader's {@code POST /failsafe} to every member at once, Patroni's body, each bounded by the
 * same timeout; with the cluster's REST credentials when {@code restapi.authentication} is set.
 */
public final class HttpFailsafeCaller implements FailsafeCaller {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client;
    private final Duration timeout;
    private final Optional<String> authorization;

    /** {@code client} speaks HTTPS by the {@code ctl}/{@code restapi} files when members' API URLs say https. */
    public HttpFailsafeCaller(HttpClient client, Duration timeout, Optional<Credentials> credentials) {
        this.client = client;
        this.timeout = timeout;
        this.authorization = credentials.map(user -> "Basic " + Base64.getEncoder().encodeToString(
                (user.username() + ":" + Optional.ofNullable(user.password()).orElse("")).getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public List<String> call(List<Member> members, FailsafeRequest leader) {
        String body;
        try {
            body = JSON.writeValueAsString(Map.of("name", leader.name(), "conn_url", leader.connUrl(), "api_url", leader.apiUrl()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the failsafe request", e);
        }
        List<CompletableFuture<Boolean>> pending = new ArrayList<>();
        for (Member member : members) {
            pending.add(post(member, body));
        }
        List<String> accepted = new ArrayList<>();
        for (int i = 0; i < pending.size(); i++) {
            try {
                if (pending.get(i).get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS)) {
                    accepted.add(members.get(i).name());
                }
            } catch (Exception e) {
                pending.get(i).cancel(true);
            }
        }
        return accepted;
    }

    private CompletableFuture<Boolean> post(Member member, String body) {
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(URI.create(member.apiUrl().replaceFirst("/patroni$", "/failsafe")))
                    .timeout(timeout).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(false);
        }
        authorization.ifPresent(value -> request.header("Authorization", value));
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> response.statusCode() == 200 && response.body().strip().equals("Accepted"))
                .exceptionally(error -> false);
    }
}
