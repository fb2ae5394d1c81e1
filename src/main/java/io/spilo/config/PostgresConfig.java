package io.spilo.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code postgresql:} — the local PostgreSQL instance the agent manages. {@code superuserSsl} and
 * {@code replicationSsl} are how those roles connect to other members (pg_rewind and CHECKPOINT,
 * streaming and pg_basebackup).
 */
public record PostgresConfig(
        HostPort listen,
        HostPort connectAddress,
        Path dataDirectory,
        Path binDirectory,
        Path passfile,
        Credentials superuser,
        Credentials replication,
        ClientSsl superuserSsl,
        ClientSsl replicationSsl,
        Map<String, String> parameters,
        List<String> pgHba,
        boolean usePgRewind,
        boolean removeDataDirectoryOnRewindFailure,
        String osUser,
        int startTimeoutSeconds,
        List<ReplicaMethod> createReplicaMethods) {
    public PostgresConfig {
        parameters = Map.copyOf(parameters);
        pgHba = List.copyOf(pgHba);
        createReplicaMethods = List.copyOf(createReplicaMethods);
    }

    /** PostgreSQL's own server log, beside the data directory so that clones never copy it. */
    public Path serverLogFile() {
        return dataDirectory.resolveSibling(dataDirectory.getFileName() + ".log");
    }

    /** A directory of this node's own for Unix sockets, used unless unix_socket_directories is set. */
    public Path socketDirectory() {
        return dataDirectory.resolveSibling(dataDirectory.getFileName() + ".sock");
    }

    public Path program(String name) {
        return binDirectory.resolve(name);
    }
}
