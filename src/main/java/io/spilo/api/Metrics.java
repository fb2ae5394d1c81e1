package io.spilo.api;

import io.spilo.ha.HaLoop;
import io.spilo.ha.NodeStatus;
import io.spilo.postgres.LocalState;

/** {@code GET /metrics}: Prometheus text format with Patroni's metric names, plus spilo_* where Patroni has none. */
final class Metrics {
    private Metrics() {
    }

    static String render(NodeStatus status, long nowNanos) {
        LocalState postgres = status.postgres();
        String labels = labels(status);
        boolean primary = status.isConfirmedPrimary(nowNanos);
        boolean replica = postgres.isRunningReplica();
        boolean syncStandby = status.cluster().flatMap(view -> view.sync())
                .map(sync -> sync.isSynchronousStandby(status.memberName())).orElse(false) && replica;
        long optime = status.cluster().map(view -> view.optime()).orElse(0L);
        StringBuilder text = new StringBuilder();
        gauge(text, "patroni_version", "Spilo version without periods (Patroni's format).", labels, versionNumber());
        gauge(text, "patroni_postgres_running", "Value is 1 if Postgres is running, 0 otherwise.", labels, postgres.running() ? 1 : 0);
        gauge(text, "patroni_postmaster_start_time", "Epoch seconds since Postgres started.", labels,
                postgres.postmasterStartTime().map(Metrics::epochSeconds).orElse(0.0));
        gauge(text, "patroni_master", "Value is 1 if this node is the leader, 0 otherwise.", labels, primary ? 1 : 0);
        gauge(text, "patroni_primary", "Value is 1 if this node is the leader, 0 otherwise.", labels, primary ? 1 : 0);
        counter(text, "patroni_xlog_location", "Current location of the Postgres transaction log, 0 if this node is not the leader.",
                labels, primary ? postgres.walPosition() : 0);
        gauge(text, "patroni_standby_leader", "Value is 1 if this node is the standby_leader, 0 otherwise.", labels, 0);
        gauge(text, "patroni_replica", "Value is 1 if this node is a replica, 0 otherwise.", labels, replica ? 1 : 0);
        gauge(text, "patroni_sync_standby", "Value is 1 if this node is a sync standby replica, 0 otherwise.", labels, syncStandby ? 1 : 0);
        counter(text, "patroni_xlog_received_location",
                "Current location of the received Postgres transaction log, 0 if this node is not a replica.", labels,
                replica ? postgres.walPosition() : 0);
        counter(text, "patroni_xlog_replayed_location",
                "Current location of the replayed Postgres transaction log, 0 if this node is not a replica.", labels,
                replica ? postgres.replayedPosition() : 0);
        gauge(text, "patroni_postgres_timeline", "Postgres timeline of this node (if running), 0 otherwise.", labels, postgres.timeline());
        gauge(text, "patroni_postgres_server_version", "Version of Postgres (if running), 0 otherwise.", labels, postgres.serverVersion());
        gauge(text, "patroni_cluster_unlocked", "Value is 1 if the cluster is unlocked, 0 if locked.", labels,
                status.cluster().map(view -> view.leader().isEmpty() ? 1 : 0).orElse(0));
        gauge(text, "patroni_dcs_last_seen", "Epoch timestamp when DCS was last contacted successfully by Patroni.", labels,
                status.dcsLastSeenEpochSeconds());
        gauge(text, "patroni_pending_restart", "Value is 1 if the node needs a restart, 0 otherwise.", labels, 0);
        gauge(text, "patroni_is_paused", "Value is 1 if auto failover is disabled, 0 otherwise.", labels, status.settings().paused() ? 1 : 0);
        gauge(text, "spilo_replication_lag_bytes",
                "Bytes this replica's received WAL trails the leader's last published position; 0 on the leader.", labels,
                replica && optime > 0 ? Math.max(0, optime - postgres.walPosition()) : 0);
        gauge(text, "spilo_synchronous_standbys", "Synchronous standbys named in the sync key, on the leader in synchronous mode.",
                labels, primary && status.settings().synchronous().enabled()
                        ? status.cluster().flatMap(view -> view.sync()).map(sync -> sync.synchronousStandbys().size()).orElse(0) : 0);
        gauge(text, "spilo_config_valid", "Value is 0 while the cluster's config key holds values the agent cannot use.", labels,
                status.configProblem().isEmpty() ? 1 : 0);
        gauge(text, "spilo_fence_armed", "Value is 1 while the fence would stop this node's primary if the agent stopped renewing its leadership.",
                labels, status.fence() == io.spilo.fence.FenceState.ARMED ? 1 : 0);
        status.writeProbeLatencyMillis().ifPresent(latency -> gauge(text, "spilo_write_probe_latency_seconds",
                "How long the leader's last write probe took to commit on its own disk.", labels, latency / 1000.0));
        gauge(text, "patroni_failsafe_mode_is_active", "Value is 1 while this leader runs through an etcd outage in failsafe mode.",
                labels, status.failsafeActive() ? 1 : 0);
        gauge(text, "spilo_leadership_confirmed", "Value is 1 while this node's leadership is confirmed in etcd.", labels, primary ? 1 : 0);
        return text.toString();
    }

    /** The labels every metric of this member carries. */
    static String labels(NodeStatus status) {
        return "{scope=\"" + status.scope().replace("\"", "\\\"") + "\",name=\""
                + status.memberName().replace("\"", "\\\"") + "\"}";
    }

    /** 0.1.0 becomes 000100, like Patroni's 3.0.2 becomes 030002. */
    static String versionNumber() {
        StringBuilder number = new StringBuilder();
        for (String part : HaLoop.VERSION.split("\\.")) {
            number.append(String.format("%02d", Integer.parseInt(part)));
        }
        return number.toString();
    }

    private static double epochSeconds(String patroniTimestamp) {
        try {
            return java.time.OffsetDateTime.parse(patroniTimestamp, java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx"))
                    .toInstant().toEpochMilli() / 1000.0;
        } catch (java.time.format.DateTimeParseException e) {
            return 0;
        }
    }

    static void gauge(StringBuilder text, String name, String help, String labels, Object value) {
        metric(text, name, help, "gauge", labels, value);
    }

    static void counter(StringBuilder text, String name, String help, String labels, Object value) {
        metric(text, name, help, "counter", labels, value);
    }

    private static void metric(StringBuilder text, String name, String help, String type, String labels, Object value) {
        text.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(' ').append(type).append('\n')
                .append(name).append(labels).append(' ').append(value).append('\n');
    }
}
