package io.spilo.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** pgBackRest 2.45's {@code info --output=json} (captured from a real repository) as the catalog operators read. */
class BackupCatalogTest {
    private static String fixture() throws IOException {
        try (InputStream input = BackupCatalogTest.class.getResourceAsStream("/pgbackrest/info.json")) {
            return new String(input.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void eachBackupWithItsTypeTimesSizesAndWalRange() throws IOException {
        BackupCatalog catalog = BackupCatalog.parse(fixture(), "s1");

        assertThat(catalog.status()).isEqualTo("ok");
        assertThat(catalog.archiveMin()).hasValue("000000010000000000000001");
        assertThat(catalog.archiveMax()).hasValue("000000010000000000000006");
        assertThat(catalog.backups()).containsExactly(
                new BackupCatalog.Backup("20261128-064018F", "full", 1795848018, 1795848020, 22992549, 3043454,
                        "000000010000000000000002", "000000010000000000000003", false),
                new BackupCatalog.Backup("20261128-064018F_20261128-065053I", "incr", 1795848653, 1795848655, 23066277,
                        catalog.backups().get(1).repositoryBytes(), "000000010000000000000006", "000000010000000000000006", false));
        assertThat(catalog.lastGood()).hasValue(catalog.backups().get(1));
        assertThat(BackupCatalog.fromJson(catalog.toJson())).isEqualTo(catalog);
    }

    @Test
    void aStanzaTheRepositoryDoesNotHoldIsReportedMissing() throws IOException {
        BackupCatalog catalog = BackupCatalog.parse(fixture(), "other");

        assertThat(catalog.status()).isEqualTo("missing stanza");
        assertThat(catalog.backups()).isEmpty();
        assertThat(catalog.lastGood()).isEmpty();
        assertThatThrownBy(() -> BackupCatalog.parse("ERROR: [055]: unable to load info file", "s1"))
                .isInstanceOf(BackupException.class).hasMessageContaining("pgbackrest info printed no JSON");
    }

    @Test
    void theArchiverLagIsMeasuredFromTheEndOfTheLastArchivedSegment() {
        assertThat(ArchiverStatus.segmentEnd("000000010000000000000003", 16L << 20)).isEqualTo(4L * (16L << 20));
        assertThat(ArchiverStatus.segmentEnd("0000000200000001000000FF", 16L << 20)).isEqualTo((1L << 32) + 256L * (16L << 20));
    }
}
