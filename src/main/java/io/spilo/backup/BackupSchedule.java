package io.spilo.backup;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code backup_schedule} in the dynamic configuration: how old the newest backup of each type may
 * grow before the leader takes another, for example {@code {full: 7d, diff: 1d, incr: 1h}}. Ages
 * are read from the repository's catalog, not from memory, so the schedule survives failovers and
 * restarts; a full backup also counts as a diff and an incr, a diff as an incr.
 */
public record BackupSchedule(Map<BackupType, Duration> intervals) {
    public static final BackupSchedule NONE = new BackupSchedule(Map.of());

    public BackupSchedule {
        intervals = Map.copyOf(intervals);
    }

    /** The schedule in {@code config}, or why it cannot be used. */
    public static BackupSchedule parse(JsonNode schedule) {
        if (schedule == null || schedule.isMissingNode() || schedule.isNull()) {
            return NONE;
        }
        if (!schedule.isObject()) {
            throw new IllegalArgumentException("backup_schedule must be a mapping of backup type to age, like {full: 1d, incr: 1h}");
        }
        Map<BackupType, Duration> intervals = new EnumMap<>(BackupType.class);
        schedule.fields().forEachRemaining(field -> {
            BackupType type = BackupType.parse(field.getKey()).orElseThrow(() -> new IllegalArgumentException(
                    "backup_schedule." + field.getKey() + ": not a backup type (full, diff, incr)"));
            intervals.put(type, duration(field.getKey(), field.getValue().asText()));
        });
        return new BackupSchedule(intervals);
    }

    /** {@code 90s}, {@code 30m}, {@code 12h}, {@code 7d}, or seconds. */
    static Duration duration(String key, String text) {
        String value = text.strip().toLowerCase(Locale.ROOT);
        if (!value.matches("[1-9]\\d*[smhd]?")) {
            throw new IllegalArgumentException("backup_schedule." + key + ": '" + text + "' is not an age like 30m, 12h or 7d");
        }
        char unit = value.charAt(value.length() - 1);
        long amount = Long.parseLong(Character.isDigit(unit) ? value : value.substring(0, value.length() - 1));
        return switch (unit) {
            case 'm' -> Duration.ofMinutes(amount);
            case 'h' -> Duration.ofHours(amount);
            case 'd' -> Duration.ofDays(amount);
            default -> Duration.ofSeconds(amount);
        };
    }

    /** The backup due now, the biggest first, given what the repository holds. */
    public Optional<BackupType> due(BackupCatalog catalog, Instant now) {
        for (BackupType type : BackupType.values()) {
            Duration interval = intervals.get(type);
            if (interval == null) {
                continue;
            }
            Optional<Long> newest = catalog.backups().stream().filter(backup -> !backup.error())
                    .filter(backup -> covers(backup.type(), type)).map(BackupCatalog.Backup::stopEpochSeconds).max(Long::compare);
            if (newest.isEmpty() || Duration.between(Instant.ofEpochSecond(newest.get()), now).compareTo(interval) >= 0) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    /** A backup of pgBackRest type {@code taken} makes one of {@code wanted} unnecessary. */
    private static boolean covers(String taken, BackupType wanted) {
        return BackupType.parse(taken).map(type -> type.ordinal() <= wanted.ordinal()).orElse(false);
    }
}
