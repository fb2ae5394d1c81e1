package io.spilo.postgres;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code /proc/<pid>/stat} of one process, kept open and read again in place: a look costs one
 * {@code pread}, no path lookup and no allocation, which matters to a watch that looks five times a
 * second. The open file belongs to that process, not to its pid: once the process is reaped, a
 * read fails, even if the pid has been given to another process since. Not thread-safe: one owner.
 */
final class ProcessStatFile implements AutoCloseable {
    private final ByteBuffer buffer = ByteBuffer.allocate(1024);
    private FileChannel channel;

    private ProcessStatFile(FileChannel channel) {
        this.channel = channel;
    }

    /** The open stat file of {@code pid}, or null when there is no such process. */
    static ProcessStatFile open(long pid) {
        try {
            return new ProcessStatFile(FileChannel.open(Path.of("/proc", Long.toString(pid), "stat"), StandardOpenOption.READ));
        } catch (IOException | UnsupportedOperationException gone) {
            return null;
        }
    }

    /** Whether the process still runs: it exists, and is neither a zombie nor dead. */
    boolean running() {
        if (channel == null) {
            return false;
        }
        try {
            buffer.clear();
            int read = channel.read(buffer, 0);
            if (read <= 0) {
                return false;
            }
            // The command, in parentheses, may itself contain ") ": the state follows the last one.
            for (int i = read - 1; i > 0; i--) {
                if (buffer.get(i) == ')') {
                    if (i + 2 >= read) {
                        return false;
                    }
                    byte state = buffer.get(i + 2);
                    return state != 'Z' && state != 'X';
                }
            }
            return false;
        } catch (IOException reaped) {
            close();
            return false;
        }
    }

    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // a read-only file of /proc: nothing was written
            }
            channel = null;
        }
    }
}
