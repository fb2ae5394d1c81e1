package io.spilo.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.Member;
import io.spilo.ha.HaLoop;
import io.spilo.ha.NodeStatus;
import io.spilo.postgres.LocalState;
import io.spilo.postgres.ReplicationConnection;
import java.util.Comparator;

/** Builds the JSON bodies of the read-only endpoints with Patroni's field names. */
final class StatusJson {
    private StatusJson() {
    }

    /** The body of {@code GET /patroni} and of every health check. */
    static ObjectNode memberStatus(NodeStatus status, long nowNanos) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        LocalState postgres = status.postgres();
        body.put("state", status.state());
        postgres.postmasterStartTime().ifPresent(time -> body.put("postmaster_start_time", time));
        body.put("role", status.role());
        if (postgres.serverVersion() > 0) {
            body.put("server_version", postgres.serverVersion());
        }
        ObjectNode xlog = body.putObject("xlog");
        if (postgres.running() && !postgres.inRecovery()) {
            xlog.put("location", postgres.walPosition());
        } else if (postgres.running()) {
            xlog.put("received_location", postgres.walPosition());
            xlog.put("replayed_location", postgres.replayedPosition());
            postgres.replayedTimestamp().ifPresentOrElse(time -> xlog.put("replayed_timestamp", time),
                    () -> xlog.putNull("replayed_timestamp"));
        }
        if (postgres.timeline() > 0) {
            body.put("timeline", postgres.timeline());
        }
        if (!postgres.replication().isEmpty()) {
            ArrayNode replication = body.putArray("replication");
            for (ReplicationConnection connection : postgres.replication()) {
                replication.addObject()
                        .put("usename", connection.userName())
                        .put("application_name", connection.applicationName())
                        .put("client_addr", connection.clientAddress())
                        .put("state", connection.state())
                        .put("sync_state", connection.syncState())
                        .put("sync_priority", connection.syncPriority());
            }
        }
        if (postgres.isRunningReplica()) {
            body.put("replication_state", postgres.streaming() ? "streaming" : "in archive recovery");
        }
        if (status.cluster().isPresent() && status.cluster().get().isLeader(status.memberName())
                && !status.isConfirmedPrimary(nowNanos) && postgres.isRunningPrimary()) {
            body.put("leadership", "unconfirmed");
        }
        if (status.settings().synchronous().enabled() && postgres.isRunningPrimary()
                && status.cluster().map(view -> view.isLeader(status.memberName())).orElse(false)) {
            ObjectNode synchronous = body.putObject("synchronous");
            synchronous.put("mode", status.settings().synchronous().strict() ? "strict" : "on");
            ArrayNode standbys = synchronous.putArray("standbys");
            status.cluster().flatMap(view -> view.sync()).ifPresent(sync -> sync.synchronousStandbys().forEach(standbys::add));
            if (standbys.isEmpty()) {
                synchronous.put("state", status.settings().synchronous().strict()
                        ? "no synchronous standby: commits wait for one" : "no synchronous standby: running asynchronously");
            }
        }
        if (status.dcsLastSeenEpochSeconds() > 0) {
            body.put("dcs_last_seen", status.dcsLastSeenEpochSeconds());
        }
        postgres.systemIdentifier().ifPresent(identifier -> body.put("database_system_identifier", identifier));
        if (status.settings().paused()) {
            body.put("pause", true);
        }
        status.configProblem().ifPresent(problem -> body.put("config_error", problem));
        status.lastError().ifPresent(error -> body.put("last_error", error));
        body.put("fence", status.fence().text());
        if (status.failsafeActive()) {
            body.put("failsafe_mode_is_active", true);
        }
        if (status.writeProbeLatencyMillis().isPresent() || status.writeStalledMillis().isPresent()) {
            var probe = body.putObject("write_probe");
            status.writeProbeLatencyMillis().ifPresent(latency -> probe.put("latency_ms", latency));
            status.writeStalledMillis().ifPresent(stalled -> probe.put("stalled_ms", stalled));
        }
        if (!status.tags().isEmpty()) {
            ObjectNode tags = body.putObject("tags");
            status.tags().forEach(tags::putPOJO);
        }
        body.putObject("patroni").put("version", HaLoop.VERSION).put("scope", status.scope()).put("name", status.memberName());
        return body;
    }

    /** The body of {@code GET /history}: Patroni's array of [timeline, lsn, reason, timestamp, new_leader]. */
    static ArrayNode history(NodeStatus status) {
        ArrayNode body = JsonNodeFactory.instance.arrayNode();
        status.cluster().ifPresent(view -> view.history().forEach(entry -> body.add(entry.toJson())));
        return body;
    }

    /** The body of {@code GET /cluster}: every member as the store knows it. */
    static ObjectNode cluster(NodeStatus status) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode members = body.putArray("members");
        if (status.cluster().isEmpty()) {
            return body;
        }
        ClusterView view = status.cluster().get();
        for (Member member : view.members().stream().sorted(Comparator.comparing(Member::name)).toList()) {
            ObjectNode node = members.addObject();
            node.put("name", member.name());
            boolean leader = view.isLeader(member.name());
            node.put("role", leader ? "leader" : member.isPrimaryRole() ? "primary" : "replica");
            node.put("state", member.state());
            node.put("api_url", member.apiUrl());
            member.postgresHost().ifPresent(host -> node.put("host", host));
            member.postgresPort().ifPresent(port -> node.put("port", port));
            if (member.timeline() > 0) {
                node.put("timeline", member.timeline());
            }
            if (!leader) {
                if (view.optime() > 0 && member.walPosition() > 0) {
                    node.put("lag", Math.max(0, view.optime() - member.walPosition()));
                } else {
                    node.put("lag", "unknown");
                }
            }
            if (!member.tags().isEmpty()) {
                ObjectNode tags = node.putObject("tags");
                member.tags().forEach(tags::putPOJO);
            }
        }
        if (view.config().paused()) {
            body.put("pause", true);
        }
        view.leader().ifPresent(leader -> body.put("scope", status.scope()));
        return body;
    }
}
