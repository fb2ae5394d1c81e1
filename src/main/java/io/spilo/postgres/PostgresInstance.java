package io.spilo.postgres;

import io.spilo.config.Credentials;
import io.spilo.config.PostgresConfig;
import io.spilo.config.ReplicaMethod;
import io.spilo.process.ProcessRunner;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Postgres} as a façade over small parts: the data directory, the control file, the
 * configuration files, pg_ctl, local SQL, initdb/pg_rewind and a replica-creation strategy.
 * PostgreSQL is started with {@code pg_ctl -l} so the postmaster is not this JVM's child: the
 * agent can stop or crash without taking PostgreSQL with it, and a new agent adopts the running
 * postmaster. Safe to call from the loop thread and the long-action thread at once.
 */
public final class PostgresInstance implements Postgres {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresInstance.class);

    private final PostgresConfig config;
    private final DataDirectory directory;
    private final ControlData controlData;
    private final ConfigFiles files;
    private final PgCtl pgCtl;
    private final LocalSql sql;
    private final ClusterCreation creation;
    private final ReplicaCreation replicaCreation;

    private final RestoreBootstrap restoreBootstrap;
    private final Optional<BackupRestore> backupRestore;

    public PostgresInstance(PostgresConfig config, String memberName, ProcessRunner runner) {
        this(config, memberName, "", runner, PostgresExtensions.NONE);
    }

    public PostgresInstance(PostgresConfig config, String memberName, String scope, ProcessRunner runner, PostgresExtensions extensions) {
        this.config = config;
        this.directory = new DataDirectory(config, runner);
        this.controlData = new ControlData(config, runner);
        this.files = new ConfigFiles(config, memberName, directory, controlData, extensions.featureParameters());
        this.pgCtl = new PgCtl(config, runner);
        this.sql = new LocalSql(config);
        this.creation = new ClusterCreation(config, runner, directory, files, controlData, sql);
        List<Map.Entry<String, ReplicaCreation>> methods = new java.util.ArrayList<>();
        for (ReplicaMethod method : config.createReplicaMethods()) {
            methods.add(Map.entry(method.name(), method.basebackup()
                    ? new BasebackupReplicaCreation(config, memberName, runner, directory, files)
                    : new CommandReplicaCreation(method, extensions.replicaRestoreCommand().orElse(List.of()), scope, config, runner,
                            directory)));
        }
        this.replicaCreation = new ReplicaMethods(methods, directory);
        this.restoreBootstrap = new RestoreBootstrap(config, runner, directory, sql);
        this.backupRestore = extensions.bootstrapRestore();
    }

    @Override
    public LocalState state() {
        if (!directory.initialized()) {
            return LocalState.empty();
        }
        Optional<String> systemIdentifier = controlData.systemIdentifier();
        Optional<Long> pid = PostmasterPidFile.livePid(config.dataDirectory());
        if (pid.isEmpty()) {
            sql.close();
            return controlData.stoppedState(systemIdentifier);
        }
        try {
            return sql.queryState(pid.get());
        } catch (SQLException e) {
            LOG.debug("postmaster {} alive but not answering: {}", pid.get(), e.getMessage());
            return LocalState.starting(pid.get(), systemIdentifier);
        }
    }

    @Override
    public void initialize(List<String> initdbOptions) {
        creation.initdb(initdbOptions);
    }

    @Override
    public Map<String, String> restoreFromBackup() {
        return restoreBootstrap.restore(backupRestore.orElseThrow(() -> new PostgresException(
                "bootstrap.method names a restore, but this member has no restore command")));
    }

    @Override
    public void finishRecovery(Duration timeout) {
        restoreBootstrap.finishRecovery(timeout);
    }

    @Override
    public boolean writeConfiguration(boolean standby, Optional<Upstream> upstream, Map<String, String> clusterParameters) {
        return files.write(standby, upstream, clusterParameters);
    }

    @Override
    public void start(Duration timeout) {
        directory.prepare();
        pgCtl.start(timeout);
    }

    @Override
    public void startInBackground() {
        directory.prepare();
        pgCtl.startInBackground();
    }

    @Override
    public void stop(Duration timeout) {
        sql.close();
        pgCtl.stop(timeout);
    }

    @Override
    public void rewind(Upstream source, Duration timeout) {
        creation.rewind(source, timeout);
    }

    @Override
    public void promote(Duration timeout) {
        if (sql.requestPromotion()) {
            sql.awaitEndOfRecovery(timeout);
        } else {
            pgCtl.promote(timeout);
        }
    }

    @Override
    public void killImmediately() {
        PostmasterPidFile.livePid(config.dataDirectory()).flatMap(ProcessHandle::of).ifPresent(postmaster -> {
            // Children first: a backend outliving its postmaster could otherwise still answer a client.
            postmaster.children().forEach(ProcessHandle::destroyForcibly);
            postmaster.destroyForcibly();
        });
        sql.close();
    }

    @Override
    public void commitHeartbeat() {
        sql.commitHeartbeat();
    }

    @Override
    public void reload() {
        // Over the kept connection: no pg_ctl process to start (as postgres) during a promotion.
        if (!sql.reloadConfiguration()) {
            pgCtl.reload();
        }
    }

    @Override
    public OptionalLong receivedPositionOn(String host, int port) {
        return sql.receivedPositionOn(host, port);
    }

    @Override
    public java.util.Set<String> parameterNames() {
        return sql.parameterNames();
    }

    @Override
    public void checkpoint() {
        sql.checkpointLocally();
    }

    @Override
    public void cloneFrom(Upstream upstream, Duration timeout) {
        replicaCreation.createReplica(upstream, timeout);
    }

    @Override
    public void ensureReplicationRole() {
        Credentials replication = config.replication();
        String role = "\"" + replication.username().replace("\"", "\"\"") + "\"";
        String sqlText = "DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = "
                + ConfigFiles.quote(replication.username()) + ") THEN CREATE ROLE " + role
                + " WITH REPLICATION LOGIN; END IF; END$$; ALTER ROLE " + role + " WITH REPLICATION LOGIN PASSWORD "
                + ConfigFiles.quote(replication.password());
        sql.execute(sqlText, "create the replication role " + replication.username());
    }

    @Override
    public List<String> physicalReplicationSlots() {
        return sql.physicalReplicationSlots();
    }

    @Override
    public void createPhysicalReplicationSlot(String name) {
        String quoted = ConfigFiles.quote(name);
        sql.execute("SELECT pg_create_physical_replication_slot(" + quoted + ")"
                + " WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = " + quoted + ")",
                "create replication slot " + name);
    }

    @Override
    public void dropReplicationSlot(String name) {
        sql.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = "
                + ConfigFiles.quote(name) + " AND NOT active", "drop replication slot " + name);
    }

    @Override
    public void removeDataDirectory() {
        sql.close();
        directory.remove();
    }

    @Override
    public void close() {
        sql.close();
    }
}
