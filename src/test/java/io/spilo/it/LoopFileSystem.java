package io.spilo.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An ext4 file system in an image file, loop-mounted where a member's data directory goes, so a
 * test can freeze it with {@code fsfreeze} (writes block, reads go on). Root only. Closing thaws,
 * unmounts and deletes the image, also after a failure.
 */
final class LoopFileSystem implements AutoCloseable {
    private final Path image;
    private final Path mountPoint;
    private boolean mounted;
    private boolean frozen;

    private LoopFileSystem(Path image, Path mountPoint) {
        this.image = image;
        this.mountPoint = mountPoint;
    }

    /** Why this machine cannot run the test, or empty. */
    static String unavailableReason() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "loop mounts and fsfreeze need root (run bin/test as root)";
        }
        for (String tool : List.of("mkfs.ext4", "fsfreeze", "mount", "umount")) {
            try {
                run(List.of("sh", "-c", "command -v " + tool));
            } catch (IllegalStateException e) {
                return tool + " is missing (apt-get install e2fsprogs util-linux)";
            }
        }
        return "";
    }

    /** A new file system of {@code megabytes} mounted at {@code mountPoint}, empty and owned by {@code owner} (mode 700). */
    static LoopFileSystem mount(Path image, Path mountPoint, int megabytes, String owner) throws IOException {
        LoopFileSystem fs = new LoopFileSystem(image, mountPoint);
        Files.createDirectories(mountPoint);
        run(List.of("truncate", "-s", megabytes + "M", image.toString()));
        run(List.of("mkfs.ext4", "-q", "-F", image.toString()));
        run(List.of("mount", "-o", "loop", image.toString(), mountPoint.toString()));
        fs.mounted = true;
        try {
            // initdb and pg_basebackup want an empty directory.
            Files.deleteIfExists(mountPoint.resolve("lost+found"));
            run(List.of("chown", owner + ":" + owner, mountPoint.toString()));
            run(List.of("chmod", "700", mountPoint.toString()));
        } catch (IOException | RuntimeException e) {
            fs.close();
            throw e;
        }
        return fs;
    }

    void freeze() {
        run(List.of("fsfreeze", "-f", mountPoint.toString()));
        frozen = true;
    }

    void thaw() {
        if (frozen) {
            run(List.of("fsfreeze", "-u", mountPoint.toString()));
            frozen = false;
        }
    }

    @Override
    public void close() {
        try {
            thaw();
        } finally {
            if (mounted) {
                run(List.of("umount", mountPoint.toString()));
                mounted = false;
            }
            try {
                Files.deleteIfExists(image);
            } catch (IOException ignored) {
                // inside the test directory, which goes too
            }
        }
    }

    private static void run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output.strip());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        }
    }
}
