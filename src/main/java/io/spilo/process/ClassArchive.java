package io.spilo.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Builds a jar's class-data archive ({@link JvmOptions#archiveBeside}): the build does it for
 * {@code target/spilo.jar} (Maven's package phase runs {@link #main}), the demo for its copy. Without
 * an archive everything works, only each start loads and verifies some 4,000 classes itself.
 */
public final class ClassArchive {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private ClassArchive() {
    }

    /** Builds the archive of {@code jar}; empty on success, else why not. */
    public static Optional<String> build(Path jar) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path archive = JvmOptions.archiveBeside(jar);
        try {
            Files.deleteIfExists(archive);
            ProcessResult result = ProcessRunner.asCurrentUser().run(JvmOptions.archiveCommand(java, jar), Map.of(), TIMEOUT);
            if (!result.succeeded() || !Files.isRegularFile(archive)) {
                Files.deleteIfExists(archive);
                return Optional.of("the class-data archive of " + jar + " was not built (exit " + result.exitCode() + "): "
                        + result.tail());
            }
            return Optional.empty();
        } catch (java.io.IOException | RuntimeException e) {
            return Optional.of("the class-data archive of " + jar + " was not built: " + e.getMessage());
        }
    }

    /** {@code java -cp target/classes io.spilo.process.ClassArchive target/spilo.jar}, from the build. */
    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        Optional<String> failure = build(jar);
        if (failure.isPresent()) {
            // Not fatal: the jar runs without it, a little slower to start.
            System.err.println("WARNING: " + failure.get());
        } else {
            System.out.printf("class-data archive %s (%d KiB)%n", JvmOptions.archiveBeside(jar),
                    Files.size(JvmOptions.archiveBeside(jar)) / 1024);
        }
    }
}
