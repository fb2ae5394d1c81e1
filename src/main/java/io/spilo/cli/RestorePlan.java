package io.spilo.cli;

import io.spilo.backup.PgBackRestFiles;
import io.spilo.config.BootstrapMethod;
import io.spilo.config.ConfigException;
import io.spilo.config.SpiloConfig;
import io.spilo.postgres.BackupRestore;
import java.util.List;
import java.util.Optional;

/**
 * What the backup settings add to the PostgreSQL instance: archive parameters, the restore that
 * replaces initdb ({@code bootstrap.method}), the built-in pgbackrest replica method's command.
 * Inconsistent settings are configuration errors, named before anything starts.
 */
final class RestorePlan {
    private RestorePlan() {
    }

    static io.spilo.postgres.PostgresExtensions extensions(SpiloConfig config, java.util.Map<String, String> archiveParameters) {
        Optional<List<String>> replicaRestore = Optional.empty();
        boolean builtInReplicaRestore = config.postgres().createReplicaMethods().stream()
                .anyMatch(method -> method.name().equals("pgbackrest") && method.command().isEmpty());
        if (builtInReplicaRestore) {
            if (config.backup().isEmpty()) {
                throw new ConfigException("postgresql.create_replica_methods: pgbackrest without postgresql.pgbackrest.command"
                        + " restores from the repository of the backup: section, and there is none (add backup: {repository: ...})");
            }
            replicaRestore = Optional.of(new PgBackRestFiles(config.backup().get(), config.postgres(), config.name()).replicaRestoreCommand());
        }
        return new io.spilo.postgres.PostgresExtensions(archiveParameters, of(config), replicaRestore);
    }

    static Optional<BackupRestore> of(SpiloConfig config) {
        Optional<BootstrapMethod> configured = config.bootstrap().method();
        if (configured.isEmpty()) {
            return Optional.empty();
        }
        BootstrapMethod method = configured.get();
        if (method.builtInRestore()) {
            if (config.backup().isEmpty()) {
                throw new ConfigException("bootstrap.method: " + method.name() + " without bootstrap." + method.name()
                        + ".command restores from the repository of the backup: section, and there is none"
                        + " (add backup: {repository: ...}, or give the method a command)");
            }
            PgBackRestFiles files = new PgBackRestFiles(config.backup().get(), config.postgres(), config.name());
            return Optional.of(new BackupRestore(method.name(), files.restoreCommand(method), true, method.recoveryConf()));
        }
        // Patroni's contract: the command gets the scope and the data directory unless no_params is set.
        String command = method.command().orElseThrow();
        if (!method.noParams()) {
            command += " --scope=" + PgBackRestFiles.shellQuote(config.scope()) + " --datadir="
                    + PgBackRestFiles.shellQuote(config.postgres().dataDirectory().toString());
        }
        return Optional.of(new BackupRestore(method.name(), List.of("/bin/sh", "-c", command), method.keepExistingRecoveryConf(),
                method.recoveryConf()));
    }
}
