package io.spilo.backup;

import io.spilo.config.BackupConfig;
import io.spilo.config.PostgresConfig;
import io.spilo.config.PrivateFiles;
import io.spilo.process.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * This member's pgBackRest configuration ({@code <data_dir>.pgbackrest/pgbackrest.conf}, beside
 * the data directory so that clones never copy it) and the archive settings that point
 * PostgreSQL at it. The repository options are the cluster's; the {@code pg1-*} options and the
 * log, lock and spool directories are this member's, so members sharing a machine never share a
 * lock.
 */
public final class PgBackRestFiles {
    private final BackupConfig backup;
    private final PostgresConfig postgres;
    private final String memberName;

    public PgBackRestFiles(BackupConfig backup, PostgresConfig postgres, String memberName) {
        this.backup = backup;
        this.postgres = postgres;
        this.memberName = memberName;
    }

    public Path directory() {
        Path data = postgres.dataDirectory();
        return data.resolveSibling(data.getFileName() + ".pgbackrest");
    }

    public Path configFile() {
        return directory().resolve("pgbackrest.conf");
    }

    /**
     * What PostgreSQL needs to archive every WAL segment into the stanza and to fetch from it what
     * streaming cannot serve. These are defaults: the dynamic configuration's
     * {@code postgresql.parameters} override them. {@code archive_timeout} bounds how much
     * committed work only the primary's disk holds (and how far back a restore can reach).
     */
    public Map<String, String> archiveParameters() {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("archive_mode", "on");
        parameters.put("archive_command", command("archive-push", "\"%p\""));
        parameters.put("restore_command", command("archive-get", "%f \"%p\""));
        parameters.put("archive_timeout", "60s");
        return parameters;
    }

    /** pgBackRest with this member's configuration and the cluster's stanza, as a shell command line. */
    String command(String verb, String arguments) {
        return shellQuote(backup.program().toString()) + " --config=" + shellQuote(configFile().toString())
                + " --stanza=" + backup.stanza() + " " + verb + " " + arguments;
    }

    /** The arguments that start every pgBackRest call the agent makes. */
    List<String> baseCommand() {
        return List.of(backup.program().toString(), "--config=" + configFile(), "--stanza=" + backup.stanza());
    }

    /**
     * {@code pgbackrest restore} of {@code method}'s stanza into this member's empty data directory,
     * to the target its {@code recovery_conf} names (the end of the archive when it names none).
     * pgBackRest writes the recovery settings itself (restore_command of that stanza, the target,
     * {@code recovery.signal}); the target action is promote unless {@code recovery_conf} says otherwise.
     */
    public List<String> restoreCommand(io.spilo.config.BootstrapMethod method) {
        Map<String, String> recovery = method.recoveryConf();
        List<String> command = new java.util.ArrayList<>(List.of(backup.program().toString(), "--config=" + configFile(),
                "--stanza=" + method.stanza().orElse(backup.stanza()), "--pg1-path=" + postgres.dataDirectory()));
        Map<String, String> targets = Map.of("recovery_target_time", "time", "recovery_target_lsn", "lsn",
                "recovery_target_xid", "xid", "recovery_target_name", "name");
        boolean targeted = false;
        for (Map.Entry<String, String> target : new java.util.TreeMap<>(targets).entrySet()) {
            String value = recovery.get(target.getKey());
            if (value != null && !targeted) {
                command.add("--type=" + target.getValue());
                command.add("--target=" + value);
                targeted = true;
            }
        }
        if (!targeted && "immediate".equals(recovery.get("recovery_target"))) {
            command.add("--type=immediate");
            targeted = true;
        }
        if (targeted) {
            command.add("--target-action=" + recovery.getOrDefault("recovery_target_action", "promote"));
            if ("false".equalsIgnoreCase(recovery.getOrDefault("recovery_target_inclusive", "true"))) {
                command.add("--target-exclusive");
            }
        }
        if (recovery.containsKey("recovery_target_timeline")) {
            command.add("--target-timeline=" + recovery.get("recovery_target_timeline"));
        }
        command.add("restore");
        return command;
    }

    /**
     * {@code pgbackrest restore} of the cluster's latest backup into this member's empty data
     * directory, leaving recovery to Spilo ({@code --type=preserve}: no signal file, no settings):
     * the new replica starts as a standby, fetches from the archive what it needs and streams the rest.
     */
    public List<String> replicaRestoreCommand() {
        return List.of(backup.program().toString(), "--config=" + configFile(), "--stanza=" + backup.stanza(),
                "--pg1-path=" + postgres.dataDirectory(), "--type=preserve", "restore");
    }

    /** The configuration file's text: a pure function of the settings. */
    String render() {
        StringBuilder text = new StringBuilder()
                .append("# Written by Spilo for member ").append(memberName)
                .append(": edits here are overwritten. Change backup: in the Spilo configuration instead.\n")
                .append("[global]\n")
                .append("repo1-path=").append(backup.repository()).append('\n')
                .append("log-path=").append(directory().resolve("log")).append('\n')
                .append("lock-path=").append(directory().resolve("lock")).append('\n')
                .append("spool-path=").append(directory().resolve("spool")).append('\n')
                .append("log-level-console=warn\n")
                .append("log-level-file=info\n")
                // A backup asks for an immediate checkpoint: the operator who asked waits for it.
                .append("start-fast=y\n");
        backup.options().forEach((name, value) -> text.append(name).append('=').append(value).append('\n'));
        text.append('\n').append('[').append(backup.stanza()).append("]\n")
                .append("pg1-path=").append(postgres.dataDirectory()).append('\n')
                .append("pg1-port=").append(postgres.listen().port()).append('\n')
                .append("pg1-socket-path=").append(socketDirectory()).append('\n')
                .append("pg1-user=").append(postgres.superuser().username()).append('\n');
        return text.toString();
    }

    /** The first of unix_socket_directories when the member sets it, else Spilo's own socket directory. */
    private Path socketDirectory() {
        String configured = postgres.parameters().get("unix_socket_directories");
        if (configured == null || configured.isBlank()) {
            return postgres.socketDirectory();
        }
        return Path.of(configured.split(",")[0].strip());
    }

    /**
     * Writes the configuration and creates the member's directories (and a local repository that
     * does not exist yet), all owned by the PostgreSQL user: the archive command runs as that user.
     */
    public void write(ProcessRunner runner) {
        try {
            for (Path directory : List.of(directory(), directory().resolve("log"), directory().resolve("lock"),
                    directory().resolve("spool"))) {
                ownedDirectory(directory, runner);
            }
            if (backup.localRepository()) {
                Path repository = Path.of(backup.repository());
                if (!Files.isDirectory(repository)) {
                    Files.createDirectories(repository);
                    Files.setPosixFilePermissions(repository, PosixFilePermissions.fromString("rwx------"));
                    runner.giveToPostgresUser(repository);
                }
            }
            Path file = configFile();
            String content = render();
            if (!Files.exists(file) || !Files.readString(file).equals(content)) {
                Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
                PrivateFiles.write(temporary, content);
                runner.giveToPostgresUser(temporary);
                Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new BackupException(BackupException.Kind.SETUP, "cannot write the pgBackRest configuration in " + directory() + ": "
                    + e.getMessage() + " (is the disk full, or backup.repository not writable?)", e);
        }
    }

    private static void ownedDirectory(Path directory, ProcessRunner runner) throws IOException {
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(directory);
        }
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        runner.giveToPostgresUser(directory);
    }

    /** A word for the shell that runs archive_command: quoted unless it is plainly safe. */
    public static String shellQuote(String word) {
        if (word.matches("[A-Za-z0-9_./=:-]+")) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
