package io.spilo.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** backup_schedule: what is due, judged from the repository's catalog. */
class BackupScheduleTest {
    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    private static BackupCatalog catalog(BackupCatalog.Backup... backups) {
        return new BackupCatalog("shop", "ok", List.of(backups), Optional.empty(), Optional.empty());
    }

    private static BackupCatalog.Backup backup(String type, Duration age, boolean error) {
        long stop = NOW.minus(age).getEpochSecond();
        return new BackupCatalog.Backup("label", type, stop - 60, stop, 1, 1, "", "", error);
    }

    private static BackupSchedule schedule(String json) throws Exception {
        return BackupSchedule.parse(new ObjectMapper().readTree(json));
    }

    @Test
    void aFullBackupIsDueWhenTheRepositoryHasNone() throws Exception {
        assertThat(schedule("{\"full\": \"1d\", \"incr\": \"1h\"}").due(catalog(), NOW)).hasValue(BackupType.FULL);
    }

    @Test
    void theBiggestDueTypeWinsAndAFullCountsAsAnIncremental() throws Exception {
        BackupSchedule daily = schedule("{\"full\": \"1d\", \"incr\": \"1h\"}");

        assertThat(daily.due(catalog(backup("full", Duration.ofMinutes(30), false)), NOW)).isEmpty();
        assertThat(daily.due(catalog(backup("full", Duration.ofHours(3), false)), NOW)).hasValue(BackupType.INCREMENTAL);
        assertThat(daily.due(catalog(backup("full", Duration.ofHours(3), false), backup("incr", Duration.ofMinutes(10), false)), NOW))
                .isEmpty();
        assertThat(daily.due(catalog(backup("full", Duration.ofHours(25), false), backup("incr", Duration.ofMinutes(10), false)), NOW))
                .hasValue(BackupType.FULL);
        assertThat(daily.due(catalog(backup("full", Duration.ofMinutes(5), true)), NOW)).as("a failed backup counts for nothing")
                .hasValue(BackupType.FULL);
        assertThat(BackupSchedule.NONE.due(catalog(), NOW)).isEmpty();
    }

    @Test
    void agesAreReadInSecondsMinutesHoursAndDaysAndAnythingElseIsNamed() throws Exception {
        assertThat(schedule("{\"full\": \"7d\", \"diff\": \"12h\", \"incr\": \"30m\"}").intervals()).isEqualTo(Map.of(
                BackupType.FULL, Duration.ofDays(7), BackupType.DIFFERENTIAL, Duration.ofHours(12),
                BackupType.INCREMENTAL, Duration.ofMinutes(30)));
        assertThat(BackupSchedule.duration("incr", "90")).isEqualTo(Duration.ofSeconds(90));
        assertThatThrownBy(() -> schedule("{\"full\": \"daily\"}")).hasMessageContaining("backup_schedule.full: 'daily' is not an age");
        assertThatThrownBy(() -> schedule("{\"weekly\": \"7d\"}")).hasMessageContaining("backup_schedule.weekly: not a backup type");
        assertThatThrownBy(() -> schedule("\"1d\"")).hasMessageContaining("must be a mapping");
    }
}
