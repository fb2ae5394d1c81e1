package io.spilo.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/** A temporary directory the postgres user can traverse (when tests run as root), removed on close. */
final class TestDirectory implements AutoCloseable {
    private final Path path;

    TestDirectory(String prefix) {
        try {
            path = Files.createTempDirectory(Path.of("/tmp"), prefix);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a test directory under /tmp: " + e.getMessage(), e);
        }
    }

    Path path() {
        return path;
    }

    Path resolve(String name) {
        return path.resolve(name);
    }

    @Override
    public void close() {
        if (Boolean.getBoolean("spilo.keepTestDirectories")) {
            System.err.println("keeping " + path + " (spilo.keepTestDirectories)");
            return;
        }
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(path)) {
            for (Path entry : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(entry);
            }
        } catch (IOException e) {
            System.err.println("could not remove " + path + ": " + e.getMessage());
        }
    }
}
