package io.spilo.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Issue 16's settings: backup:, bootstrap.method with its section, create_replica_methods. */
class BackupSettingsTest {
    private static SpiloConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, "node1.yml", Map.of());
    }

    @Test
    void aBackupSectionNamesTheRepositoryAndDefaultsTheStanzaToTheScope() {
        SpiloConfig config = parse(MinimalConfig.YAML + """
                backup:
                  repository: /var/lib/spilo/backups
                  options:
                    repo1-retention-full: 2
                    repo1-type: posix
                """);

        BackupConfig backup = config.backup().orElseThrow();
        assertThat(backup.stanza()).isEqualTo("demo");
        assertThat(backup.repository()).isEqualTo("/var/lib/spilo/backups");
        assertThat(backup.options()).containsExactly(Map.entry("repo1-retention-full", "2"), Map.entry("repo1-type", "posix"));
        assertThat(backup.program()).isEqualTo(Path.of("/usr/bin/pgbackrest"));
        assertThat(backup.localRepository()).isTrue();
        assertThat(config.unsupportedKeys()).isEmpty();
        assertThat(parse(MinimalConfig.YAML).backup()).isEmpty();
    }

    @Test
    void badBackupSettingsAreNamedWithWhatToDo() {
        assertThatThrownBy(() -> parse(MinimalConfig.YAML + "backup:\n  stanza: x\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("backup.repository: missing");
        assertThatThrownBy(() -> parse(MinimalConfig.YAML + "backup:\n  repository: backups\n"))
                .hasMessageContaining("backup.repository: 'backups' must be an absolute path");
        assertThatThrownBy(() -> parse(MinimalConfig.YAML + "backup:\n  repository: /r\n  options: {repo1-path: /elsewhere}\n"))
                .hasMessageContaining("backup.options.repo1-path: Spilo sets this option itself; use backup.repository");
        assertThatThrownBy(() -> parse(MinimalConfig.YAML + "backup:\n  repository: /r\n  options: {Repo1_Type: s3}\n"))
                .hasMessageContaining("'Repo1_Type' is not a pgBackRest option name");
        assertThatThrownBy(() -> parse(MinimalConfig.YAML + "backup:\n  repository: /r\n  stanza: 'my stanza'\n"))
                .hasMessageContaining("backup.stanza: 'my stanza' may hold only");
    }

    @Test
    void patronisCustomBootstrapIsReadWithItsRecoverySettings() {
        SpiloConfig config = parse(MinimalConfig.YAML + """
                bootstrap:
                  method: pgbackrest
                  pgbackrest:
                    stanza: old
                    recovery_conf:
                      recovery_target_time: '2026-11-28 06:40:24+00'
                      recovery_target_action: promote
                """);

        BootstrapMethod method = config.bootstrap().method().orElseThrow();
        assertThat(method.name()).isEqualTo("pgbackrest");
        assertThat(method.builtInRestore()).isTrue();
        assertThat(method.stanza()).hasValue("old");
        assertThat(method.recoveryConf()).containsEntry("recovery_target_time", "2026-11-28 06:40:24+00");
        assertThat(parse(MinimalConfig.YAML + "bootstrap:\n  method: initdb\n").bootstrap().method()).isEmpty();
    }

    @Test
    void aCustomBootstrapMethodNeedsItsSectionAndACommand() {
        assertThatThrownBy(() -> parse(MinimalConfig.YAML + "bootstrap:\n  method: wal_e\n"))
                .hasMessageContaining("bootstrap.wal_e: missing");
        assertThatThrownBy(() -> parse(MinimalConfig.YAML + "bootstrap:\n  method: wal_e\n  wal_e: {no_params: true}\n"))
                .hasMessageContaining("bootstrap.wal_e.command: missing");
        BootstrapMethod custom = parse(MinimalConfig.YAML
                + "bootstrap:\n  method: clone\n  clone: {command: /usr/local/bin/clone, keep_existing_recovery_conf: true, no_params: true}\n")
                .bootstrap().method().orElseThrow();
        assertThat(custom.command()).hasValue("/usr/local/bin/clone");
        assertThat(custom.keepExistingRecoveryConf()).isTrue();
        assertThat(custom.noParams()).isTrue();
    }

    @Test
    void replicaMethodsAreTriedInTheirOrderAndBasebackupIsTheDefault() {
        assertThat(parse(MinimalConfig.YAML).postgres().createReplicaMethods()).containsExactly(ReplicaMethod.BASEBACKUP);

        List<ReplicaMethod> methods = parse(MinimalConfig.withLines("postgresql", """
                  create_replica_methods: [pgbackrest, basebackup]
                  pgbackrest: {keep_data: true, no_params: true}
                """)).postgres().createReplicaMethods();
        assertThat(methods).extracting(ReplicaMethod::name).containsExactly("pgbackrest", "basebackup");
        assertThat(methods.get(0)).isEqualTo(new ReplicaMethod("pgbackrest", Optional.empty(), true, true));

        assertThatThrownBy(() -> parse(MinimalConfig.withLines("postgresql", "  create_replica_methods: [wal_e]\n")))
                .hasMessageContaining("postgresql.wal_e.command: missing");
    }
}
