package io.spilo.postgres;

import io.spilo.config.PostgresConfig;
import io.spilo.config.PrivateFiles;
import io.spilo.process.ProcessRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data directory and the files beside it (socket directory, server log), owned by the
 * PostgreSQL OS user when the agent runs as root: PostgreSQL refuses a directory it does not own.
 */
final class DataDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(DataDirectory.class);

    private final PostgresConfig config;
    private final ProcessRunner runner;

    DataDirectory(PostgresConfig config, ProcessRunner runner) {
        this.config = config;
        this.runner = runner;
    }

    Path path() {
        return config.dataDirectory();
    }

    boolean initialized() {
        return Files.exists(config.dataDirectory().resolve("PG_VERSION"));
    }

    /** Creates the data and socket directories (mode 0700) and the server log, owned by the PostgreSQL user. */
    void prepare() {
        try {
            for (Path directory : List.of(config.dataDirectory(), config.socketDirectory())) {
                if (!Files.exists(directory)) {
                    Files.createDirectories(directory);
                }
                Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
                giveToPostgresUser(directory);
            }
            Path log = config.serverLogFile();
            if (!Files.exists(log)) {
                Files.createFile(log);
            }
            giveToPostgresUser(log);
        } catch (IOException e) {
            throw new PostgresException("cannot prepare " + config.dataDirectory() + ": " + e.getMessage()
                    + " (does its parent exist, and may this user write to it?)", e);
        }
    }

    void remove() {
        Path dataDirectory = config.dataDirectory();
        if (!Files.exists(dataDirectory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dataDirectory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new PostgresException("cannot remove " + dataDirectory + ": " + e.getMessage(), e);
        }
    }

    /** After a failed clone: nothing half-copied may be mistaken for data. */
    void empty() {
        try {
            remove();
            prepare();
        } catch (PostgresException e) {
            LOG.warn("could not clean {} after a failed clone: {}", config.dataDirectory(), e.getMessage());
        }
    }

    /** Writes the file atomically, mode 0600, owned by the PostgreSQL user. */
    void writeOwnedFile(Path path, String content) throws IOException {
        Path temporary = path.resolveSibling(path.getFileName() + ".tmp");
        PrivateFiles.write(temporary, content);
        giveToPostgresUser(temporary);
        Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Writes the file only when its content differs; true when it did. */
    boolean writeIfChanged(Path path, String content) throws IOException {
        if (Files.exists(path) && Files.readString(path, StandardCharsets.UTF_8).equals(content)) {
            return false;
        }
        writeOwnedFile(path, content);
        return true;
    }

    private void giveToPostgresUser(Path path) throws IOException {
        runner.giveToPostgresUser(path);
    }
}
