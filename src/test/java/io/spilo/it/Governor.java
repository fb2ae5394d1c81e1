package io.spilo.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.List;
import java.util.Map;

/**
 * What governs a test member: Spilo's agent, or Patroni (Debian's package) for the side-by-side
 * benchmark. Both read the same Patroni-layout file; Patroni needs a few keys Spilo derives itself.
 */
enum Governor {
    SPILO,
    PATRONI;

    static final String PATRONI_PROGRAM = "/usr/bin/patroni";
    private static final String POSTGRES_BIN = "/usr/lib/postgresql/15/bin";

    /** The command that runs this governor for the member whose file is {@code configFile}. */
    List<String> command(Path configFile) {
        return switch (this) {
            case SPILO -> AgentNode.agentCommand(configFile);
            // Patroni runs PostgreSQL itself, so it runs as postgres; setpriv execs (the pid is Patroni's).
            case PATRONI -> List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", PATRONI_PROGRAM,
                    configFile.toString());
        };
    }

    /**
     * What Patroni needs beyond Spilo's file: addresses to publish, where the binaries are, its own
     * pgpass and socket directory (the members share one file system), pg_hba rules (Spilo writes
     * its own), and pg_rewind so a failed primary can rejoin, as Spilo does by default.
     */
    Map<String, Object> postgresqlExtras(String address, Path memberDirectory) {
        return switch (this) {
            case SPILO -> Map.of();
            case PATRONI -> Map.of(
                    "connect_address", address + ":5432",
                    "bin_dir", POSTGRES_BIN,
                    "pgpass", memberDirectory.resolve("pgpass").toString(),
                    "use_pg_rewind", true,
                    "pg_hba", List.of("local all all trust", "host all all 0.0.0.0/0 md5",
                            "host replication replicator 0.0.0.0/0 md5"));
        };
    }

    /** Before a start: Patroni (as postgres) must read its file and own the directories it writes. */
    void prepare(Path configFile, Path dataDirectory, Path memberDirectory) throws IOException {
        switch (this) {
            case SPILO -> {
            }
            case PATRONI -> {
                UserPrincipalLookupService users = configFile.getFileSystem().getUserPrincipalLookupService();
                for (Path directory : List.of(memberDirectory, memberDirectory.resolve("sockets"), dataDirectory)) {
                    Files.createDirectories(directory);
                    Files.setOwner(directory, users.lookupPrincipalByName("postgres"));
                    Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
                }
                Files.setOwner(configFile, users.lookupPrincipalByName("postgres"));
            }
        }
    }
}
