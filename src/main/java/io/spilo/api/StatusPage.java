package io.spilo.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.HistoryEntry;
import io.spilo.ha.ClusterEvent;
import io.spilo.ha.NodeStatus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code GET /ui}: one self-contained page (no CDN, embedded in the jar) that draws the cluster
 * live from {@code GET /ui/state} — what this member last read from etcd, with its events and
 * how fresh its view is — and {@code GET /events} for {@code spilo events}.
 */
final class StatusPage {
    private static final String PAGE = load();

    private StatusPage() {
    }

    private static String load() {
        try (InputStream input = StatusPage.class.getResourceAsStream("status-page.html")) {
            if (input == null) {
                throw new IllegalStateException("status-page.html is missing from the jar");
            }
            return new String(input.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read status-page.html from the jar: " + e.getMessage(), e);
        }
    }

    static String html() {
        return PAGE;
    }

    static ObjectNode state(NodeStatus status, List<ClusterEvent> events, long nowMillis) {
        ObjectNode body = JsonNodeFactory.instance.objectNode()
                .put("scope", status.scope()).put("member", status.memberName()).put("now_ms", nowMillis)
                .put("etcd_last_seen", status.dcsLastSeenEpochSeconds()).put("loop_wait", status.settings().timing().loopWaitSeconds())
                .put("paused", status.settings().paused()).put("failsafe_active", status.failsafeActive());
        ArrayNode members = body.putArray("members");
        ObjectNode cluster = StatusJson.cluster(status);
        ClusterView view = status.cluster().orElse(null);
        cluster.path("members").forEach(member -> {
            ObjectNode copy = ((ObjectNode) member).deepCopy();
            String name = member.path("name").asText();
            if (view != null) {
                view.member(name).ifPresent(known -> copy.put("pending_restart", known.pendingRestart())
                        .put("streaming", "streaming".equals(known.replicationState())));
                copy.put("sync", view.sync().map(sync -> sync.isSynchronousStandby(name)).orElse(false));
            }
            members.add(copy);
        });
        ArrayNode history = body.putArray("history");
        if (view != null) {
            for (HistoryEntry entry : view.history()) {
                history.add(entry.toJson());
            }
        }
        body.set("events", events(events));
        return body;
    }

    static ObjectNode eventsBody(NodeStatus status, List<ClusterEvent> events) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("member", status.memberName());
        body.set("events", events(events));
        return body;
    }

    private static ArrayNode events(List<ClusterEvent> events) {
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        for (ClusterEvent event : events) {
            list.addObject().put("epoch_ms", event.epochMillis()).put("time", java.time.Instant.ofEpochMilli(event.epochMillis()).toString())
                    .put("kind", event.kind().name().toLowerCase(java.util.Locale.ROOT)).put("member", event.member()).put("text", event.text());
        }
        return list;
    }
}
