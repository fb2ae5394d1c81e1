package io.spilo.backup;

import io.spilo.process.ProcessFailedException;
import io.spilo.process.ProcessResult;
import io.spilo.process.ProcessRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The pgBackRest commands the agent runs, as the PostgreSQL user, each with a timeout. */
final class PgBackRest {
    private static final Duration SHORT = Duration.ofMinutes(2);

    private final PgBackRestFiles files;
    private final ProcessRunner runner;
    private final Path program;

    PgBackRest(PgBackRestFiles files, ProcessRunner runner, Path program) {
        this.files = files;
        this.runner = runner;
        this.program = program;
    }

    /** Creates the stanza, or checks that it matches this cluster when it exists (pgBackRest makes that safe to repeat). */
    void stanzaCreate() {
        run(List.of("stanza-create"), SHORT);
    }

    /** pgBackRest's own end-to-end check: the primary's configuration and the archive of a fresh WAL switch. */
    String check() {
        return run(List.of("check"), SHORT);
    }

    void backup(BackupType type, Duration timeout) {
        run(List.of("backup", "--type=" + type.pgBackRestName()), timeout);
    }

    /** {@code pgbackrest info --output=json}: the stanza's backups and WAL archive as pgBackRest reports them. */
    String infoJson() {
        return run(List.of("info", "--output=json"), SHORT);
    }

    private String run(List<String> arguments, Duration timeout) {
        if (!Files.isExecutable(program)) {
            throw new BackupException(BackupException.Kind.MISSING_PROGRAM, "pgBackRest not found at " + program
                    + ": install it (apt-get install pgbackrest) or set backup.program");
        }
        List<String> command = new ArrayList<>(files.baseCommand());
        command.addAll(arguments);
        ProcessResult result;
        try {
            result = runner.runAsPostgresUser(command, Map.of(), timeout);
        } catch (ProcessFailedException e) {
            throw new BackupException(BackupException.Kind.FAILED, "pgbackrest " + arguments.get(0) + ": " + e.getMessage(), e);
        }
        if (!result.succeeded()) {
            throw new BackupException(BackupException.Kind.FAILED, "pgbackrest " + arguments.get(0) + " failed (exit "
                    + result.exitCode() + "): " + result.tail());
        }
        return result.output();
    }
}
