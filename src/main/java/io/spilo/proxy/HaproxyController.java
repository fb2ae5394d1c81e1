package io.spilo.proxy;

import io.spilo.config.HaproxyConfig;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.Dcs;
import io.spilo.dcs.DcsException;
import io.spilo.dcs.Member;
import io.spilo.process.ChildProcess;
import io.spilo.process.ProcessResult;
import io.spilo.process.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a real HAProxy (master-worker mode) in step with the cluster: it reloads HAProxy when
 * members join or leave (established connections stay on the old worker), and on a leader change
 * switches the primary backend at once through the runtime API, old primary out first. The health
 * checks stay in place as the safety net.
 */
public final class HaproxyController {
    private static final Logger LOG = LoggerFactory.getLogger(HaproxyController.class);

    private final HaproxyConfig haproxy;
    /** The client certificate HAProxy's checks present, when members require one; owned by the following thread. */
    private final Optional<io.spilo.tls.CombinedPem> checkCertificate;
    private final Dcs dcs;
    private final HaproxyRuntime runtime;
    private final Semaphore wakeUps = new Semaphore(0);
    private volatile boolean running = true;
    private ChildProcess process;
    private String appliedStructure;
    private Optional<String> appliedLeader = Optional.empty();
    private List<BackendServer> appliedServers = List.of();
    private final PrimaryConfirmer confirmer;
    /** The check timing of the last good cluster config; kept while the config key holds unusable values. */
    private HaproxyTiming lastGoodTiming = HaproxyTiming.forCluster(io.spilo.config.TimingSettings.SPILO_DEFAULTS);
    /** After a reload the new worker starts from the file; check its state again soon. */
    private boolean reconcileSoon;
    /** A leader is known but not yet let in: asked every {@link #CONFIRMATION_POLL_MILLIS}, since clients wait for it. */
    private boolean awaitingConfirmation;
    private static final long CONFIRMATION_POLL_MILLIS = 100;

    public HaproxyController(HaproxyConfig haproxy, Dcs dcs) {
        this.haproxy = haproxy;
        this.dcs = dcs;
        this.runtime = new HaproxyRuntime(haproxy.runtimeSocket(), Duration.ofSeconds(2));
        this.confirmer = PrimaryConfirmer.overHttp(Duration.ofMillis(500), haproxy.checks());
        this.checkCertificate = haproxy.checks().certificate()
                .map(certificate -> new io.spilo.tls.CombinedPem(haproxy.checks(), haproxy.checkCertificateFile()));
    }

    /** The leader's server when it confirms itself primary; otherwise no server may start enabled. */
    private Optional<String> confirmedLeader(Target target) {
        return target.leader().filter(name -> target.servers().stream()
                .anyMatch(server -> server.name().equals(name) && confirmer.isConfirmedPrimary(server)));
    }

    /** What the cluster asks of HAProxy right now: the servers, the leader's server, the check timing. */
    public record Target(List<BackendServer> servers, Optional<String> leader, HaproxyTiming timing) {
        public static Target of(ClusterView view) {
            return of(view, HaproxyTiming.forCluster(io.spilo.config.TimingSettings.SPILO_DEFAULTS));
        }

        /**
         * @param lastGood the check timing to keep when the config key holds values that cannot be
         *     used: a bad edit of the cluster config must not stop the routing of every client
         */
        public static Target of(ClusterView view, HaproxyTiming lastGood) {
            List<BackendServer> servers = view.members().stream()
                    .sorted(Comparator.comparing(Member::name))
                    .map(BackendServer::of).flatMap(Optional::stream).toList();
            Optional<String> leader = view.leader().map(current -> BackendServer.serverName(current.name()))
                    .filter(name -> servers.stream().anyMatch(server -> server.name().equals(name)));
            HaproxyTiming timing;
            try {
                timing = HaproxyTiming.forCluster(view.config().timing().validated("config."));
            } catch (io.spilo.config.ConfigException e) {
                LOG.warn("{}; HAProxy keeps its current check timing", e.getMessage());
                timing = lastGood;
            }
            return new Target(servers, leader, timing);
        }
    }

    public static String render(HaproxyConfig haproxy, ClusterView view) {
        Target target = Target.of(view);
        return HaproxyConfigRenderer.render(haproxy, target.servers(), target.leader(), target.timing());
    }

    /** Checks the binary, writes the first configuration and starts HAProxy; throws with the reason if it cannot run. */
    public void start(ClusterView view) {
        try {
            Files.createDirectories(haproxy.stateDirectory());
        } catch (IOException e) {
            throw new ProxyException("haproxy.state_dir " + haproxy.stateDirectory() + ": cannot create: " + e.getMessage());
        }
        HaproxyProcesses.stopLeftover(haproxy);
        HaproxyProcesses.checkPortsFree(haproxy);
        checkCertificate.ifPresent(file -> {
            try {
                file.write();
            } catch (io.spilo.tls.TlsException e) {
                throw new ProxyException("the client certificate for HAProxy's checks (ctl, else restapi files): " + e.getMessage());
            }
        });
        Target target = Target.of(view, lastGoodTiming);
        lastGoodTiming = target.timing();
        Optional<String> enabled = confirmedLeader(target);
        writeConfiguration(target, enabled);
        ProcessResult check = ProcessRunner.asCurrentUser().run(
                List.of(haproxy.binary().toString(), "-c", "-q", "-f", haproxy.configFile().toString()),
                java.util.Map.of(), Duration.ofSeconds(20));
        if (!check.succeeded()) {
            throw new ProxyException("HAProxy rejects the generated configuration " + haproxy.configFile() + ": " + check.tail());
        }
        process = ChildProcess.start("haproxy", HaproxyProcesses.tiedToThisProcess(List.of(haproxy.binary().toString(), "-W", "-db",
                "-p", haproxy.pidFile().toString(), "-f", haproxy.configFile().toString())), haproxy.logFile(), false);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new ProxyException("HAProxy exited at start (exit " + process.exitCode().orElse(-1) + "): "
                        + logTail() + "; if a port is taken, choose other haproxy.*_port values");
            }
            if (isAnswering()) {
                LOG.info("HAProxy running (pid {}): primary on {}:{}, replicas on {}:{}, stats on {}:{}", process.pid(),
                        haproxy.bind(), haproxy.primaryPort(), haproxy.bind(), haproxy.replicaPort(), haproxy.bind(),
                        haproxy.statsPort());
                appliedLeader = enabled;
                awaitingConfirmation = enabled.isEmpty() && target.leader().isPresent();
                reconcileSoon = awaitingConfirmation;
                return;
            }
            sleep(100);
        }
        throw new ProxyException("HAProxy did not open its runtime socket " + haproxy.runtimeSocket() + " within 10 s: " + logTail());
    }

    public long haproxyPid() {
        return process.pid();
    }

    public void wakeUp() {
        if (wakeUps.availablePermits() == 0) {
            wakeUps.release();
        }
    }

    /** Follows the cluster until {@link #stop()}: reload on membership change, runtime switch on leader change. */
    public void run(int loopWaitSeconds) {
        dcs.watch(this::wakeUp);
        while (running) {
            try {
                follow(dcs.read());
            } catch (DcsException e) {
                LOG.warn("etcd unreachable ({}); HAProxy keeps routing by its health checks", e.getMessage());
            } catch (RuntimeException e) {
                // This thread is the only thing that moves HAProxy to a new leader: it must not die.
                LOG.error("following the cluster failed; trying again next cycle", e);
            }
            try {
                long waitMillis = awaitingConfirmation ? CONFIRMATION_POLL_MILLIS : reconcileSoon ? 300 : loopWaitSeconds * 1000L;
                if (wakeUps.tryAcquire(waitMillis, TimeUnit.MILLISECONDS)) {
                    wakeUps.drainPermits();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    void follow(ClusterView view) {
        Target target = Target.of(view, lastGoodTiming);
        lastGoodTiming = target.timing();
        if (!process.isAlive()) {
            LOG.error("HAProxy exited ({}); starting it again", logTail());
            start(view);
            return;
        }
        String structure = HaproxyConfigRenderer.render(haproxy, target.servers(), Optional.empty(), target.timing());
        boolean renewedCertificate = checkCertificate.map(this::renewed).orElse(false);
        if (!structure.equals(appliedStructure) || renewedCertificate) {
            LOG.info("{}; reloading HAProxy", renewedCertificate ? "the checks' client certificate changed"
                    : "members changed (" + target.servers().stream().map(BackendServer::name).toList() + ")");
            Optional<String> enabled = confirmedLeader(target);
            writeConfiguration(target, enabled);
            process.signal("USR2");
            appliedLeader = enabled;
            awaitingConfirmation = enabled.isEmpty() && target.leader().isPresent();
            reconcileSoon = true;
            return;
        }
        if (!target.leader().equals(appliedLeader)) {
            switchPrimary(target);
        }
        reconcile(target);
    }

    /** Whether the checks' certificate files changed into a usable pair (written now); a half-done rotation is logged once. */
    private boolean renewed(io.spilo.tls.CombinedPem file) {
        Optional<String> before = file.problem();
        boolean written = file.refresh();
        if (file.problem().isPresent() && !file.problem().equals(before)) {
            LOG.warn("the checks' client certificate changed but cannot be used yet, HAProxy keeps the previous one: {}",
                    file.problem().get());
        }
        return written;
    }

    /**
     * Makes the running worker's primary backend match the leader: a runtime command sent while a
     * reload was starting a new worker reached the old one and was lost with it.
     */
    private void reconcile(Target target) {
        List<String[]> servers;
        try {
            servers = primaryServerStates();
        } catch (IOException e) {
            reconcileSoon = true;
            return;
        }
        boolean matches = servers.size() == target.servers().size();
        for (String[] server : servers) {
            boolean maintenance = server[1].startsWith("MAINT");
            boolean leader = target.leader().map(server[0]::equals).orElse(false);
            matches &= leader != maintenance;
        }
        if (!matches) {
            LOG.info("primary backend does not match the leader ({}); switching it", target.leader().orElse("none"));
            switchPrimary(target);
            reconcileSoon = true;
        } else {
            reconcileSoon = false;
        }
    }

    /** Name and status of each server in the primary backend, from {@code show stat}. */
    private List<String[]> primaryServerStates() throws IOException {
        List<String[]> servers = new java.util.ArrayList<>();
        for (String line : runtime.execute("show stat").split("\n")) {
            String[] fields = line.split(",", -1);
            if (fields.length > 17 && fields[0].equals(HaproxyConfigRenderer.PRIMARY_BACKEND)
                    && !fields[1].equals("FRONTEND") && !fields[1].equals("BACKEND")) {
                servers.add(new String[] {fields[1], fields[17]});
            }
        }
        return servers;
    }

    /** Old primary out first (maintenance, sessions cut), then the new one in and marked healthy. */
    /**
     * Routing follows confirmed truth (DESIGN §9): every other server leaves the primary backend, its
     * sessions cut, first; the new leader enters only once its own {@code GET /primary} answers 200
     * (it has finished promoting and confirmed its leadership), and is looked at again soon until then.
     */
    private void switchPrimary(Target target) {
        String backend = HaproxyConfigRenderer.PRIMARY_BACKEND;
        try {
            for (BackendServer server : appliedServers) {
                if (!target.leader().map(server.name()::equals).orElse(false)) {
                    runtime.execute("set server " + backend + "/" + server.name() + " state maint");
                    runtime.execute("shutdown sessions server " + backend + "/" + server.name());
                }
            }
            Optional<BackendServer> leader = target.leader().flatMap(name -> target.servers().stream()
                    .filter(server -> server.name().equals(name)).findFirst());
            if (leader.isPresent() && !confirmer.isConfirmedPrimary(leader.get())) {
                LOG.info("{} leads but does not answer GET /primary 200 yet; it enters the primary backend when it does",
                        leader.get().name());
                runtime.execute("set server " + backend + "/" + leader.get().name() + " state maint");
                appliedLeader = Optional.empty();
                reconcileSoon = true;
                awaitingConfirmation = true;
                return;
            }
            awaitingConfirmation = false;
            if (leader.isPresent()) {
                runtime.execute("set server " + backend + "/" + leader.get().name() + " state ready");
                runtime.execute("set server " + backend + "/" + leader.get().name() + " health up");
            }
            LOG.info("primary backend switched to {}", target.leader().orElse("nobody (no leader)"));
            appliedLeader = target.leader();
        } catch (IOException e) {
            LOG.warn("could not switch the primary backend through {}: {}; health checks will", haproxy.runtimeSocket(), e.getMessage());
        }
    }

    /** @param enabledLeader the only server that starts enabled in the primary backend: the leader, once it confirmed itself */
    private void writeConfiguration(Target target, Optional<String> enabledLeader) {
        String text = HaproxyConfigRenderer.render(haproxy, target.servers(), enabledLeader, target.timing());
        try {
            Path temporary = haproxy.configFile().resolveSibling("haproxy.cfg.tmp");
            Files.writeString(temporary, text);
            Files.move(temporary, haproxy.configFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ProxyException("cannot write " + haproxy.configFile() + ": " + e.getMessage());
        }
        appliedStructure = HaproxyConfigRenderer.render(haproxy, target.servers(), Optional.empty(), target.timing());
        appliedServers = target.servers();
    }

    private boolean isAnswering() {
        try {
            return runtime.execute("show info").contains("Pid:");
        } catch (IOException e) {
            return false;
        }
    }

    public void stop() {
        running = false;
        wakeUp();
        if (process != null) {
            process.stop(Duration.ofSeconds(10));
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(haproxy.logFile());
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "HaproxyController[" + Objects.toString(process) + "]";
    }
}
