package io.spilo.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.spilo.config.BootstrapMethod;
import io.spilo.config.ConfigLoader;
import io.spilo.config.SpiloConfig;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The member's pgBackRest file and commands, rendered from the settings alone. */
class PgBackRestFilesTest {
    private static final SpiloConfig CONFIG = ConfigLoader.parse("""
            scope: shop
            name: node2
            restapi: {listen: 127.0.0.1:8009}
            etcd3: {hosts: 127.0.0.1:2379}
            postgresql:
              listen: 127.0.0.1:5433
              data_dir: /srv/pg/node2
              authentication:
                superuser: {username: postgres, password: secret}
                replication: {username: replicator, password: repl}
            backup:
              repository: /srv/backups
              options: {repo1-retention-full: 2, compress-type: lz4}
            """, "node2.yml", Map.of());
    private final PgBackRestFiles files = new PgBackRestFiles(CONFIG.backup().orElseThrow(), CONFIG.postgres(), "node2");

    @Test
    void theFileHoldsTheClustersRepositoryAndThisMembersServerAndDirectories() {
        assertThat(files.configFile()).hasToString("/srv/pg/node2.pgbackrest/pgbackrest.conf");
        assertThat(files.render()).isEqualTo("""
                # Written by Spilo for member node2: edits here are overwritten. Change backup: in the Spilo configuration instead.
                [global]
                repo1-path=/srv/backups
                log-path=/srv/pg/node2.pgbackrest/log
                lock-path=/srv/pg/node2.pgbackrest/lock
                spool-path=/srv/pg/node2.pgbackrest/spool
                log-level-console=warn
                log-level-file=info
                start-fast=y
                repo1-retention-full=2
                compress-type=lz4

                [shop]
                pg1-path=/srv/pg/node2
                pg1-port=5433
                pg1-socket-path=/srv/pg/node2.sock
                pg1-user=postgres
                """);
    }

    @Test
    void postgresqlArchivesIntoTheStanzaAndFetchesFromIt() {
        assertThat(files.archiveParameters()).containsExactly(
                Map.entry("archive_mode", "on"),
                Map.entry("archive_command", "/usr/bin/pgbackrest --config=/srv/pg/node2.pgbackrest/pgbackrest.conf --stanza=shop"
                        + " archive-push \"%p\""),
                Map.entry("restore_command", "/usr/bin/pgbackrest --config=/srv/pg/node2.pgbackrest/pgbackrest.conf --stanza=shop"
                        + " archive-get %f \"%p\""),
                Map.entry("archive_timeout", "60s"));
    }

    @Test
    void aPointInTimeRestoreTurnsRecoverySettingsIntoPgBackRestOptions() {
        BootstrapMethod method = new BootstrapMethod("pgbackrest", Optional.empty(), false, false,
                Map.of("recovery_target_time", "2026-11-28 06:40:24+00", "recovery_target_inclusive", "false"), Optional.of("old"));

        assertThat(files.restoreCommand(method)).containsExactly("/usr/bin/pgbackrest",
                "--config=/srv/pg/node2.pgbackrest/pgbackrest.conf", "--stanza=old", "--pg1-path=/srv/pg/node2", "--type=time",
                "--target=2026-11-28 06:40:24+00", "--target-action=promote", "--target-exclusive", "restore");
        BootstrapMethod latest = new BootstrapMethod("pgbackrest", Optional.empty(), false, false, Map.of(), Optional.empty());
        assertThat(files.restoreCommand(latest)).containsExactly("/usr/bin/pgbackrest",
                "--config=/srv/pg/node2.pgbackrest/pgbackrest.conf", "--stanza=shop", "--pg1-path=/srv/pg/node2", "restore");
    }

    @Test
    void aReplicaRestoreLeavesRecoveryToSpilo() {
        assertThat(files.replicaRestoreCommand()).containsExactly("/usr/bin/pgbackrest",
                "--config=/srv/pg/node2.pgbackrest/pgbackrest.conf", "--stanza=shop", "--pg1-path=/srv/pg/node2", "--type=preserve",
                "restore");
    }

    @Test
    void wordsTheShellWouldSplitAreQuoted() {
        assertThat(PgBackRestFiles.shellQuote("/usr/bin/pgbackrest")).isEqualTo("/usr/bin/pgbackrest");
        assertThat(PgBackRestFiles.shellQuote("/srv/my data/it's")).isEqualTo("'/srv/my data/it'\\''s'");
    }
}
