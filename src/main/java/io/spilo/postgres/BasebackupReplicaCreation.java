package io.spilo.postgres;

import io.spilo.config.PostgresConfig;
import io.spilo.process.ProcessFailedException;
import io.spilo.process.ProcessResult;
import io.spilo.process.ProcessRunner;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A replica copied from the leader with pg_basebackup, WAL streamed alongside. */
final class BasebackupReplicaCreation implements ReplicaCreation {
    private final PostgresConfig config;
    private final String memberName;
    private final ProcessRunner runner;
    private final DataDirectory directory;
    private final ConfigFiles files;

    BasebackupReplicaCreation(PostgresConfig config, String memberName, ProcessRunner runner, DataDirectory directory,
            ConfigFiles files) {
        this.config = config;
        this.memberName = memberName;
        this.runner = runner;
        this.directory = directory;
        this.files = files;
    }

    /** The password file, and {@code authentication.replication}'s TLS keys as libpq variables. */
    private Map<String, String> environment() {
        Map<String, String> environment = new java.util.HashMap<>(config.replicationSsl().environment());
        environment.put("PGPASSFILE", config.passfile().toString());
        environment.put("PGAPPNAME", memberName);
        environment.put("PGCONNECT_TIMEOUT", "5");
        return environment;
    }

    @Override
    public void createReplica(Upstream upstream, Duration timeout) {
        directory.prepare();
        files.writePasswordFile();
        List<String> command = List.of(config.program("pg_basebackup").toString(),
                "-D", config.dataDirectory().toString(), "-X", "stream", "-c", "fast", "--no-password",
                "-h", upstream.host(), "-p", Integer.toString(upstream.port()), "-U", config.replication().username());
        String source = upstream.host() + ":" + upstream.port();
        ProcessResult result;
        try {
            result = runner.runAsPostgresUser(command,
                    environment(),
                    timeout);
        } catch (ProcessFailedException e) {
            directory.empty();
            throw new PostgresException("pg_basebackup from " + source + " failed: " + e.getMessage(), e);
        }
        if (!result.succeeded()) {
            directory.empty();
            throw new PostgresException("pg_basebackup from " + source + " failed (exit " + result.exitCode() + "): "
                    + result.tail());
        }
    }
}
