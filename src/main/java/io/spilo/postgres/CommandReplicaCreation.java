package io.spilo.postgres;

import io.spilo.config.PostgresConfig;
import io.spilo.config.ReplicaMethod;
import io.spilo.process.ProcessFailedException;
import io.spilo.process.ProcessResult;
import io.spilo.process.ProcessRunner;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A replica made by a command instead of a copy from the leader: the built-in {@code pgbackrest}
 * method (a restore from the repository; streaming supplies the rest) or an operator's command
 * with Patroni's parameters. Recovery settings are Spilo's, written after it: the command only
 * fills the data directory.
 */
final class CommandReplicaCreation implements ReplicaCreation {
    private final ReplicaMethod method;
    private final List<String> builtInCommand;
    private final String scope;
    private final PostgresConfig config;
    private final ProcessRunner runner;
    private final DataDirectory directory;

    CommandReplicaCreation(ReplicaMethod method, List<String> builtInCommand, String scope, PostgresConfig config,
            ProcessRunner runner, DataDirectory directory) {
        this.method = method;
        this.builtInCommand = List.copyOf(builtInCommand);
        this.scope = scope;
        this.config = config;
        this.runner = runner;
        this.directory = directory;
    }

    @Override
    public void createReplica(Upstream upstream, Duration timeout) {
        if (!method.keepData()) {
            directory.prepare();
        }
        ProcessResult result;
        try {
            result = runner.runAsPostgresUser(command(upstream), Map.of("PGPASSFILE", config.passfile().toString()), timeout);
        } catch (ProcessFailedException e) {
            throw new PostgresException("replica method " + method.name() + " failed: " + e.getMessage(), e);
        }
        if (!result.succeeded()) {
            throw new PostgresException("replica method " + method.name() + " failed (exit " + result.exitCode() + "): "
                    + result.tail());
        }
        if (!Files.exists(config.dataDirectory().resolve("PG_VERSION"))) {
            throw new PostgresException("replica method " + method.name() + " left no cluster in " + config.dataDirectory());
        }
    }

    /** Patroni's contract for a custom method: the command gets these parameters unless no_params is set. */
    private List<String> command(Upstream upstream) {
        if (method.command().isEmpty()) {
            return builtInCommand;
        }
        String command = method.command().get();
        if (!method.noParams()) {
            String connstring = "host=" + upstream.host() + " port=" + upstream.port() + " user=" + config.replication().username();
            command += " --scope=" + quote(scope) + " --datadir=" + quote(config.dataDirectory().toString())
                    + " --role=replica --connstring=" + quote(connstring);
        }
        return List.of("/bin/sh", "-c", command);
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
