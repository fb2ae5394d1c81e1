package io.spilo.postgres;

import io.spilo.config.PostgresConfig;
import io.spilo.process.ProcessFailedException;
import io.spilo.process.ProcessResult;
import io.spilo.process.ProcessRunner;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The control file: read with pg_controldata while PostgreSQL is stopped, and the system identifier read directly. */
final class ControlData {
    private static final Logger LOG = LoggerFactory.getLogger(ControlData.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final PostgresConfig config;
    private final ProcessRunner runner;

    ControlData(PostgresConfig config, ProcessRunner runner) {
        this.config = config;
        this.runner = runner;
    }

    /** pg_controldata's fields by name; empty when it fails (logged). */
    Map<String, String> read() {
        Map<String, String> values = new LinkedHashMap<>();
        try {
            ProcessResult result = runner.runAsPostgresUser(
                    List.of(config.program("pg_controldata").toString(), config.dataDirectory().toString()),
                    Map.of("LC_ALL", "C"), TIMEOUT);
            if (!result.succeeded()) {
                LOG.warn("pg_controldata failed (exit {}): {}", result.exitCode(), result.tail());
                return values;
            }
            for (String line : result.output().split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    values.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
                }
            }
        } catch (ProcessFailedException e) {
            LOG.warn("pg_controldata failed: {}", e.getMessage());
        }
        return values;
    }

    /** A stopped PostgreSQL, described by its control file: how it last stopped, and on which timeline. */
    LocalState stoppedState(Optional<String> systemIdentifier) {
        Map<String, String> control = read();
        Optional<String> clusterState = Optional.ofNullable(control.get("Database cluster state"));
        int timeline = parseInt(control.get("Latest checkpoint's TimeLineID"));
        long position = parseLsn(control.get("Latest checkpoint location"));
        return LocalState.stopped(true, systemIdentifier, clusterState, timeline, position);
    }

    /** The system identifier: the first eight bytes of {@code global/pg_control}, little-endian on this platform. */
    Optional<String> systemIdentifier() {
        try {
            byte[] bytes = Files.readAllBytes(config.dataDirectory().resolve("global/pg_control"));
            if (bytes.length < 8) {
                return Optional.empty();
            }
            long identifier = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.nativeOrder()).getLong();
            return Optional.of(Long.toUnsignedString(identifier));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static int parseInt(String text) {
        try {
            return text == null ? 0 : Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** An LSN written as {@code 0/3000028}: high and low 32-bit halves in hex. */
    static long parseLsn(String text) {
        if (text == null || !text.contains("/")) {
            return 0;
        }
        String[] halves = text.strip().split("/");
        try {
            return (Long.parseLong(halves[0], 16) << 32) | Long.parseLong(halves[1], 16);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
