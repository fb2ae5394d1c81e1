package io.spilo.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spilo.backup.ArchiverStatus;
import io.spilo.backup.BackupCatalog;
import io.spilo.backup.BackupException;
import io.spilo.backup.BackupService;
import io.spilo.backup.BackupType;
import io.spilo.ha.NodeStatus;
import java.util.Optional;

/**
 * {@code POST /backup} (a base backup on the leader), {@code GET /backup} (how the last one went),
 * {@code GET /backups} (the repository's catalog), the archiver's figures in {@code /patroni} and
 * {@code /metrics}. Only a member with a {@code backup:} section serves them.
 */
final class BackupEndpoints {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NOT_CONFIGURED = "backups are not configured on this member: add a backup: section"
            + " (repository: ...) to its configuration";

    private BackupEndpoints() {
    }

    static Actions.Reply start(Optional<BackupService> backups, ObjectNode body, NodeStatus current, long nowNanos) {
        if (backups.isEmpty()) {
            return Actions.Reply.text(404, NOT_CONFIGURED);
        }
        String typeText = body.path("type").asText("incr");
        Optional<BackupType> type = BackupType.parse(typeText);
        if (type.isEmpty()) {
            return Actions.Reply.text(400, "unknown backup type '" + typeText + "': full, diff or incr");
        }
        if (!current.isConfirmedPrimary(nowNanos)) {
            String leader = current.cluster().flatMap(view -> view.leader()).map(held -> held.name()).orElse("none");
            return Actions.Reply.text(503, "backups run on the leader, and this member is not it (leader: " + leader + ")");
        }
        BackupService.Request request = backups.get().requestBackup(type.get());
        if (request instanceof BackupService.AlreadyRunning running) {
            return Actions.Reply.json(409, run(running.run()).put("error", "a backup is already running on this member"));
        }
        return Actions.Reply.json(202, run(((BackupService.Started) request).run()));
    }

    static Actions.Reply lastRun(Optional<BackupService> backups) {
        if (backups.isEmpty()) {
            return Actions.Reply.text(404, NOT_CONFIGURED);
        }
        return Actions.Reply.json(200, backups.get().lastRun().map(BackupEndpoints::run)
                .orElseGet(() -> JSON.createObjectNode().put("state", "none")));
    }

    static Actions.Reply catalog(Optional<BackupService> backups) {
        if (backups.isEmpty()) {
            return Actions.Reply.text(404, NOT_CONFIGURED);
        }
        try {
            return Actions.Reply.json(200, backups.get().readCatalog().toJson());
        } catch (BackupException e) {
            return Actions.Reply.text(503, "cannot read the backup repository: " + e.getMessage());
        }
    }

    /** The archiver's state in a member's status, so that {@code spilo list} can warn when archiving fails. */
    static void addArchiving(Optional<BackupService> backups, ObjectNode memberBody) {
        backups.flatMap(BackupService::archiver).ifPresent(status -> {
            ObjectNode archiving = memberBody.putObject("archiving").put("failing", status.failing())
                    .put("waiting_segments", status.waitingSegments()).put("lag_bytes", status.lagBytes())
                    .put("lag_seconds", Math.round(status.lagSeconds())).put("failed_count", status.failedCount());
            status.lastFailedWal().ifPresent(wal -> archiving.put("last_failed_wal", wal));
        });
    }

    /** Prometheus lines for the archiver and the last good backup. */
    static void metrics(Optional<BackupService> backups, String labels, StringBuilder text, long epochSeconds) {
        if (backups.isEmpty()) {
            return;
        }
        Optional<ArchiverStatus> archiver = backups.get().archiver();
        archiver.ifPresent(status -> {
            Metrics.gauge(text, "spilo_wal_archive_lag_bytes", "WAL written on this primary since the end of the last archived segment.",
                    labels, status.lagBytes());
            Metrics.gauge(text, "spilo_wal_archive_lag_seconds", "How long the oldest WAL segment waiting to be archived has waited.",
                    labels, status.lagSeconds());
            Metrics.gauge(text, "spilo_wal_archive_waiting_segments", "WAL segments finished and not archived yet.", labels,
                    status.waitingSegments());
            Metrics.counter(text, "spilo_wal_archive_failed_total", "Failed archive attempts (pg_stat_archiver.failed_count).", labels,
                    status.failedCount());
            Metrics.counter(text, "spilo_wal_archived_total", "WAL files archived (pg_stat_archiver.archived_count).", labels,
                    status.archivedCount());
        });
        backups.get().cachedCatalog().flatMap(BackupCatalog::lastGood).ifPresent(backup -> Metrics.gauge(text,
                "spilo_backup_last_success_age_seconds", "Seconds since the last successful base backup in the repository ended.",
                labels, Math.max(0, epochSeconds - backup.stopEpochSeconds())));
    }

    private static ObjectNode run(BackupService.BackupRun run) {
        ObjectNode body = JSON.createObjectNode().put("state", run.state().name().toLowerCase(java.util.Locale.ROOT))
                .put("type", run.type().pgBackRestName()).put("started", run.startedAt().toString());
        run.finishedAt().ifPresent(at -> body.put("finished", at.toString()));
        return body.put("message", run.message());
    }
}
