package io.spilo.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spilo.dcs.Member;
import io.spilo.ha.PeerProbe;
import io.spilo.ha.PeerStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Asks every member's {@code GET /patroni} at once, each bounded by the same short timeout. */
public final class HttpPeerProbe implements PeerProbe {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client;
    private final Duration timeout;

    /** {@code client} speaks HTTPS by the {@code ctl}/{@code restapi} files when members' API URLs say https. */
    public HttpPeerProbe(HttpClient client, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
    }

    @Override
    public List<PeerStatus> probe(List<Member> members) {
        List<CompletableFuture<PeerStatus>> pending = new ArrayList<>();
        for (Member member : members) {
            pending.add(ask(member));
        }
        List<PeerStatus> answers = new ArrayList<>();
        for (int i = 0; i < pending.size(); i++) {
            try {
                answers.add(pending.get(i).get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS));
            } catch (Exception e) {
                pending.get(i).cancel(true);
                answers.add(PeerStatus.unreachable(members.get(i).name()));
            }
        }
        return answers;
    }

    private CompletableFuture<PeerStatus> ask(Member member) {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(member.apiUrl())).timeout(timeout).GET().build();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(PeerStatus.unreachable(member.name()));
        }
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> parse(member.name(), response.body()))
                .exceptionally(error -> PeerStatus.unreachable(member.name()));
    }

    /** Reads a Patroni-compatible status body (Spilo's or Patroni's). */
    static PeerStatus parse(String name, String body) {
        try {
            JsonNode status = JSON.readTree(body);
            String role = status.path("role").asText("");
            String state = status.path("state").asText("");
            boolean running = state.equals("running");
            boolean promoting = state.equals("promoting");
            boolean primary = running && (role.equals("primary") || role.equals("master"));
            JsonNode xlog = status.path("xlog");
            long wal = primary ? xlog.path("location").asLong(0)
                    : Math.max(xlog.path("received_location").asLong(0), xlog.path("replayed_location").asLong(0));
            JsonNode tags = status.path("tags");
            boolean noFailover = tags.path("nofailover").asBoolean(false);
            int priority = tags.has("failover_priority") ? tags.path("failover_priority").asInt(1) : noFailover ? 0 : 1;
            return new PeerStatus(name, running || promoting, primary, wal, priority, noFailover, promoting);
        } catch (Exception e) {
            return PeerStatus.unreachable(name);
        }
    }
}
