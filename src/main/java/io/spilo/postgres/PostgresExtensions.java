package io.spilo.postgres;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What configured features add to the instance: parameters they need (WAL archiving), the restore
 * that replaces initdb ({@code bootstrap.method}), and the command of the built-in
 * {@code pgbackrest} replica method (a restore from the backup repository).
 */
public record PostgresExtensions(Map<String, String> featureParameters, Optional<BackupRestore> bootstrapRestore,
        Optional<List<String>> replicaRestoreCommand) {
    public static final PostgresExtensions NONE = new PostgresExtensions(Map.of(), Optional.empty(), Optional.empty());

    public PostgresExtensions {
        featureParameters = Map.copyOf(featureParameters);
        replicaRestoreCommand = replicaRestoreCommand.map(List::copyOf);
    }
}
