package io.spilo.postgres;

import java.util.List;
import java.util.Map;

/**
 * How a new cluster's first member fills its data directory from a backup instead of initdb
 * ({@code bootstrap.method}): the command to run as the PostgreSQL user, and the recovery
 * settings for the first start when the command leaves none of its own.
 */
public record BackupRestore(String method, List<String> command, boolean keepExistingRecoveryConf,
        Map<String, String> recoveryConf) {
    public BackupRestore {
        command = List.copyOf(command);
        recoveryConf = Map.copyOf(recoveryConf);
    }
}
