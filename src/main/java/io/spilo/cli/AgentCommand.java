package io.spilo.cli;

import io.spilo.backup.BackupException;
import io.spilo.backup.BackupService;
import io.spilo.config.BackupConfig;

import io.spilo.api.ApiException;
import io.spilo.api.HttpFailsafeCaller;
import io.spilo.api.HttpPeerProbe;
import io.spilo.api.RestApi;
import io.spilo.config.ConfigException;
import io.spilo.config.ConfigLoader;
import io.spilo.config.SpiloConfig;
import io.spilo.config.TimingSettings;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.DcsException;
import io.spilo.dcs.DynamicConfig;
import io.spilo.dcs.etcd.EtcdDcs;
import io.spilo.dcs.DynamicConfigFile;
import io.spilo.fence.FenceSet;
import io.spilo.fence.ProcessFence;
import io.spilo.ha.HaLoop;
import io.spilo.postgres.PostgresInstance;
import io.spilo.postgres.PostmasterWatch;
import io.spilo.process.ProcessRunner;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "agent", description = "Run the Spilo agent (the governor) for one PostgreSQL node.")
final class AgentCommand implements Callable<Integer> {
    private static final int FIRST_READ_PATIENCE_SECONDS = 15;
    private static final Logger LOG = LoggerFactory.getLogger(AgentCommand.class);
    private static final List<String> REQUIRED_PROGRAMS = List.of("postgres", "pg_ctl", "initdb", "pg_basebackup");

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "Patroni-style YAML configuration (etcd3 store)")
    Path configFile;

    @Option(names = "--validate", description = "check the configuration file and exit (0: valid, 2: not)")
    boolean validate;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        SpiloConfig config;
        try {
            config = ConfigLoader.load(configFile, System.getenv());
        } catch (ConfigException e) {
            err.println("spilo: configuration error: " + e.getMessage());
            err.flush();
            return ExitCodes.USAGE;
        }
        TimingSettings bootstrapTiming;
        try {
            bootstrapTiming = new DynamicConfig(config.bootstrap().dcs(), 0).timing().validated("bootstrap.dcs.");
        } catch (ConfigException e) {
            err.println("spilo: configuration error: " + e.getMessage());
            err.flush();
            return ExitCodes.USAGE;
        }
        try {
            RestorePlan.extensions(config, Map.of()); // the settings are checked now; the instance is made later
        } catch (ConfigException e) {
            err.println("spilo: configuration error: " + e.getMessage());
            err.flush();
            return ExitCodes.USAGE;
        }
        if (validate) {
            for (String key : config.unsupportedKeys()) {
                err.println("spilo: warning: configuration key " + key + " is not supported by Spilo yet and is ignored");
            }
            err.flush();
            spec.commandLine().getOut().println(configFile + ": valid (cluster " + config.scope() + ", member " + config.name() + ")");
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
        for (String key : config.unsupportedKeys()) {
            LOG.warn("configuration key {} is not supported by Spilo yet and is ignored", key);
        }
        for (String program : REQUIRED_PROGRAMS) {
            Path path = config.postgres().program(program);
            if (!Files.isExecutable(path)) {
                err.println("spilo: PostgreSQL program not found: " + path + "; set postgresql.bin_dir to the directory"
                        + " that holds pg_ctl (for example /usr/lib/postgresql/15/bin), or install PostgreSQL"
                        + " (apt-get install postgresql)");
                err.flush();
                return ExitCodes.FAILURE;
            }
        }
        ProcessRunner runner = new ProcessRunner(config.postgres().osUser());
        if (runner.switchesUser() && !userExists(config.postgres().osUser())) {
            err.println("spilo: the agent runs as root, but the OS user '" + config.postgres().osUser()
                    + "' that must run PostgreSQL does not exist; create it (useradd --system "
                    + config.postgres().osUser() + ") or set postgresql.os_user");
            err.flush();
            return ExitCodes.FAILURE;
        }

        Duration peerTimeout = Duration.ofSeconds(2);
        java.net.http.HttpClient peers;
        try {
            // One client for peer probes and failsafe calls, built now: a wrong certificate, key or CA
            // file is a configuration error, named before anything starts.
            peers = io.spilo.tls.RestClients.create(config.restClient(), peerTimeout);
        } catch (io.spilo.tls.TlsException e) {
            err.println("spilo: configuration error: TLS for calls to other members (ctl, else restapi files): " + e.getMessage());
            err.flush();
            return ExitCodes.USAGE;
        }
        HaLoop[] loop = new HaLoop[1];
        EtcdDcs[] store = new EtcdDcs[1];
        RestApi api;
        try {
            api = RestApi.bind(config.restApi(), () -> loop[0].status(), System::nanoTime,
                    new AgentControl(() -> store[0], () -> loop[0]));
        } catch (ApiException e) {
            err.println("spilo: " + e.getMessage());
            err.flush();
            return ExitCodes.FAILURE;
        }
        // Until the cluster's config is read, calls are bounded by the file's timing; the loop then follows the live one.
        Duration etcdTimeout = bootstrapTiming.etcdCallTimeout();
        EtcdDcs dcs;
        try {
            dcs = new EtcdDcs(config.etcd(), config.clusterPrefix(), config.name(), etcdTimeout);
        } catch (io.spilo.tls.TlsException e) {
            err.println("spilo: configuration error: etcd3 TLS files (cacert, cert, key): " + e.getMessage());
            err.flush();
            api.close();
            return ExitCodes.USAGE;
        }
        store[0] = dcs;
        try {
            // A just-started etcd, or a machine busy starting several agents (the demo), may take a
            // few seconds to answer the first call: be patient before calling etcd unreachable.
            ClusterView view = firstRead(dcs, Duration.ofSeconds(Math.max(FIRST_READ_PATIENCE_SECONDS,
                    bootstrapTiming.retryTimeoutSeconds())));
            LOG.info("connected to etcd at {}; cluster '{}' {}", String.join(",", config.etcd().endpoints()),
                    config.scope(), view.initialize().isPresent() ? "exists" : "is new");
        } catch (DcsException e) {
            err.println("spilo: " + EtcdMessages.describe(e));
            err.flush();
            api.close();
            dcs.close();
            return ExitCodes.FAILURE;
        }

        Optional<BackupService> backups = config.backup().map(backup -> new BackupService(backup, config.postgres(), config.name(),
                runner, () -> loop[0] != null && loop[0].status().isConfirmedPrimary(System.nanoTime()),
                () -> io.spilo.backup.BackupSchedule.parse(loop[0].status().cluster()
                        .map(view -> view.config().json().get("backup_schedule")).orElse(null)),
                Clock.systemUTC()));
        if (backups.isPresent()) {
            String problem = prepareBackups(config.backup().get(), backups.get(), runner);
            if (!problem.isEmpty()) {
                err.println("spilo: " + problem);
                err.flush();
                api.close();
                dcs.close();
                return ExitCodes.FAILURE;
            }
            api.serveBackups(backups.get());
        }
        PostgresInstance postgres = new PostgresInstance(config.postgres(), config.name(), config.scope(), runner,
                RestorePlan.extensions(config, backups.map(BackupService::archiveParameters).orElse(Map.of())));
        java.nio.file.Path dataDirectory = config.postgres().dataDirectory();
        FenceSet fence = FenceSet.of(new ProcessFence(config.postgres().osUser(), dataDirectory,
                dataDirectory.resolveSibling(dataDirectory.getFileName() + ".fence.log")), config.watchdog());
        loop[0] = new HaLoop(config, dcs, postgres, new HttpPeerProbe(peers, peerTimeout),
                new HttpFailsafeCaller(peers, peerTimeout, config.restApi().authentication()),
                DynamicConfigFile.besideDataDirectory(dataDirectory), fence, System::nanoTime, Clock.systemUTC());
        api.serveEvents(() -> loop[0].events().recent());
        PostmasterWatch postmasterWatch = PostmasterWatch.start(dataDirectory, () -> loop[0].wakeUp());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("stopping the agent");
            try {
                loop[0].stop(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            api.close();
            backups.ifPresent(BackupService::close);
            postmasterWatch.close();
            postgres.close();
            dcs.close();
            stopped.countDown();
        }, "shutdown"));
        loop[0].start();
        backups.ifPresent(BackupService::start);
        api.start();
        LOG.info("agent {} of cluster {} running; REST API on {}", config.name(), config.scope(), config.restApi().listen());
        stopped.await();
        return ExitCodes.OK;
    }

    /** Checks pgBackRest is there and writes this member's files; the problem, or "" when there is none. */
    private static String prepareBackups(BackupConfig backup, BackupService service, ProcessRunner runner) {
        if (!Files.isExecutable(backup.program())) {
            return "pgBackRest not found at " + backup.program() + " (backup: is configured); install it"
                    + " (apt-get install pgbackrest) or set backup.program";
        }
        try {
            service.prepare(runner);
            return "";
        } catch (BackupException e) {
            return e.getMessage();
        }
    }

    /** Reads the cluster once, retrying until {@code patience} has passed: etcd may be starting too. */
    private static ClusterView firstRead(EtcdDcs dcs, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            try {
                return dcs.read();
            } catch (DcsException e) {
                if (e.kind() == DcsException.Kind.REFUSED || System.nanoTime() > deadline) {
                    throw e; // waiting does not fix a refused certificate or password
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static boolean userExists(String name) {
        try {
            Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(name);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
