package io.spilo.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs external programs without a shell, always with a timeout. When the agent runs as root,
 * programs that refuse root (PostgreSQL and its tools) run as {@code osUser} through runuser.
 */
public final class ProcessRunner {
    private final String osUser;
    private final boolean switchUser;

    /**
     * @param osUser the user PostgreSQL runs as; programs are switched to it only when this JVM
     *     runs as root (otherwise they run as the current user, who must own the data directory)
     */
    public ProcessRunner(String osUser) {
        this.osUser = osUser;
        this.switchUser = "root".equals(System.getProperty("user.name")) && !"root".equals(osUser);
    }

    /** A runner for programs that run as this process's user (HAProxy, etcd). */
    public static ProcessRunner asCurrentUser() {
        return new ProcessRunner(System.getProperty("user.name"));
    }

    public String osUser() {
        return osUser;
    }

    public boolean switchesUser() {
        return switchUser;
    }

    /**
     * Makes {@code path} the PostgreSQL OS user's (and its group's, when one of that name exists)
     * when this process runs as root; otherwise the file is already the current user's.
     */
    public void giveToPostgresUser(Path path) throws IOException {
        if (!switchUser) {
            return;
        }
        java.nio.file.attribute.UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
        java.nio.file.attribute.PosixFileAttributeView view = Files.getFileAttributeView(path,
                java.nio.file.attribute.PosixFileAttributeView.class);
        view.setOwner(lookup.lookupPrincipalByName(osUser));
        try {
            view.setGroup(lookup.lookupPrincipalByGroupName(osUser));
        } catch (IOException e) {
            // the user has no group of the same name; ownership by the user is what PostgreSQL checks
        }
    }

    /** {@code command} as the PostgreSQL OS user runs it: through runuser when this process is root. */
    public List<String> asPostgresUser(List<String> command) {
        List<String> full = new ArrayList<>();
        if (switchUser) {
            full.addAll(List.of("runuser", "-u", osUser, "--"));
        }
        full.addAll(command);
        return full;
    }

    /** Runs {@code command} as the PostgreSQL OS user and waits for it, at most {@code timeout}. */
    public ProcessResult runAsPostgresUser(List<String> command, Map<String, String> environment, Duration timeout) {
        return run(asPostgresUser(command), environment, timeout);
    }

    /**
     * Runs {@code command} as this process's user and waits for it, at most {@code timeout}. The
     * output goes to a temporary file that is unlinked as soon as the process has it open: this
     * process reads it through its own descriptor, and an agent killed meanwhile leaves no file behind.
     */
    public ProcessResult run(List<String> command, Map<String, String> environment, Duration timeout) {
        Path output;
        try {
            output = Files.createTempFile("spilo-process-", ".out");
        } catch (IOException e) {
            throw new ProcessFailedException("cannot create a temporary file for the output of " + command.get(0)
                    + ": " + e.getMessage() + " (is the temporary directory full or read-only?)", e);
        }
        FileChannel reader;
        try {
            reader = FileChannel.open(output, StandardOpenOption.READ);
        } catch (IOException e) {
            deleteQuietly(output);
            throw new ProcessFailedException("cannot read the temporary file " + output + ": " + e.getMessage(), e);
        }
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().putAll(environment);
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new ProcessFailedException("cannot run " + command.get(0) + ": " + e.getMessage()
                        + " (is it installed and executable?)", e);
            } finally {
                deleteQuietly(output);
            }
            boolean finished;
            try {
                finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                // The whole tree: runuser's child would otherwise outlive the agent that asked for it.
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new ProcessFailedException("interrupted while waiting for " + describe(command), e);
            }
            if (!finished) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new ProcessFailedException(describe(command) + " did not finish within " + timeout.toSeconds()
                        + " s and was killed; output: " + new ProcessResult(-1, read(reader)).tail());
            }
            return new ProcessResult(process.exitValue(), read(reader));
        } finally {
            try {
                reader.close();
            } catch (IOException ignored) {
                // a read-only descriptor of an unlinked file: nothing to lose
            }
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover temp file is harmless
        }
    }

    private static String read(FileChannel reader) {
        try {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(8192);
            long position = 0;
            int read;
            while ((read = reader.read(buffer, position)) > 0) {
                bytes.write(buffer.array(), 0, read);
                position += read;
                buffer.clear();
            }
            return bytes.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(output unreadable: " + e.getMessage() + ")";
        }
    }

    private static String describe(List<String> command) {
        int programIndex = command.indexOf("--") + 1;
        return command.get(programIndex);
    }
}
