package io.spilo.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.spilo.process.ChildProcess;
import io.spilo.process.JvmOptions;
import io.spilo.process.Signals;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A whole Spilo cluster on one machine: etcd (one or three members), three agents and
 * {@code spilo haproxy}, each a separate process started here and stopped here by pid.
 */
public final class Demo {
    public static final String LAYOUT_FILE = "demo.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path directory;

    private final PrintWriter out;

    private final Path jar;

    private final DemoPlan planner;
    private final DemoStopper stopper;

    public Demo(Path directory, PrintWriter out, Path jar) {
        this.directory = directory.toAbsolutePath().normalize();
        this.out = out;
        this.jar = jar;
        this.planner = new DemoPlan(this.directory, out);
        this.stopper = new DemoStopper(out);
    }

    /** The default demo directory: under the user's home, or a system directory when running as root (PostgreSQL must reach it). */
    public static Path defaultDirectory() {
        if ("root".equals(System.getProperty("user.name"))) {
            return Path.of("/var/lib/spilo/demo");
        }
        return Path.of(System.getProperty("user.home"), ".spilo", "demo");
    }

    public Path layoutFile() {
        return directory.resolve(LAYOUT_FILE);
    }

    /** Starts everything (or brings an earlier demo in this directory back with its data) and waits until it is healthy. */
    public DemoLayout start(int etcdMembers, boolean tls) throws IOException, InterruptedException {
        Optional<DemoLayout> previous = readLayout();
        if (previous.isPresent() && stopper.anythingRunning(previous.get())) {
            return startMissing(previous.get());
        }
        createDirectory(directory);
        createDirectory(directory.resolve("data"));
        createDirectory(directory.resolve("logs"));
        Path passfile = directory.resolve("pgpass");
        DemoSecrets secrets = DemoSecrets.readOrCreate(directory.resolve("secrets"), passfile);

        if (previous.isPresent() && tls && previous.get().tlsFiles().isEmpty()) {
            throw new DemoException("the demo in " + directory + " runs without TLS; bring it back without --tls, or use another --dir");
        }
        Optional<DemoTls> tlsFiles = previous.isPresent() ? previous.get().tlsFiles()
                : tls ? Optional.of(DemoTls.createOrReuse(directory, DemoPlan.nodeNames())) : Optional.empty();
        DemoLayout layout = previous.filter(earlier -> earlier.etcd().size() == etcdMembers || etcdMembers == 0)
                .orElseGet(() -> planner.plan(Math.max(1, etcdMembers), passfile, tlsFiles));
        if (previous.isPresent() && etcdMembers != 0 && previous.get().etcd().size() != etcdMembers) {
            throw new DemoException("the demo in " + directory + " has " + previous.get().etcd().size()
                    + " etcd members; start it with --etcd-members " + previous.get().etcd().size() + " or use another --dir");
        }
        if (previous.isPresent()) {
            planner.checkPortsFree(layout);
            out.println("Bringing back the demo cluster in " + directory + " with its data.");
        }
        long startedAt = System.nanoTime();
        // The processes run a copy of the jar: rebuilding the project while the demo runs must not
        // swap classes under running JVMs.
        Files.copy(jar, runJar(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        List<DemoLayout.EtcdMember> etcd = startEtcd(layout.etcd(), tlsFiles);
        layout = layout.with(etcd, layout.nodes(), layout.haproxy());
        writeLayout(layout);
        List<DemoLayout.Node> nodes = new ArrayList<>();
        for (DemoLayout.Node node : layout.nodes()) {
            planner.writeNodeConfig(node, layout, secrets);
            nodes.add(startAgent(node));
        }
        layout = layout.with(etcd, nodes, layout.haproxy());
        writeLayout(layout);
        DemoLayout.Haproxy haproxy = startHaproxy(layout);
        layout = layout.with(etcd, nodes, haproxy);
        writeLayout(layout);
        DemoHealth.awaitHealthy(layout, secrets, directory);
        out.printf("Spilo demo ready in %.1f s.%n", (System.nanoTime() - startedAt) / 1e9);
        if (previous.isEmpty() && DemoPlan.backupsAvailable()) {
            startFirstBackup(layout);
        }
        printSummary(layout);
        return layout;
    }

    /**
     * Part of an earlier demo in this directory still runs: start only what does not (etcd members,
     * agents, spilo haproxy), with the data and ports it had, and wait until the cluster is healthy.
     */
    private DemoLayout startMissing(DemoLayout layout) throws IOException, InterruptedException {
        out.println("Part of the demo in " + directory + " is running: starting what is missing.");
        long startedAt = System.nanoTime();
        List<DemoLayout.EtcdMember> etcd = startEtcd(layout.etcd(),
                member -> !Signals.isSameProcess(member.pid(), member.startedAtEpochMillis()), layout.tlsFiles());
        List<DemoLayout.Node> nodes = new ArrayList<>();
        for (DemoLayout.Node node : layout.nodes()) {
            boolean running = Signals.isSameProcess(node.agentPid(), node.agentStartedAtEpochMillis());
            if (!running) {
                out.println("  starting the agent of " + node.name());
            }
            nodes.add(running ? node : startAgent(node));
        }
        DemoLayout.Haproxy haproxy = layout.haproxy();
        if (!Signals.isSameProcess(haproxy.pid(), haproxy.startedAtEpochMillis())) {
            out.println("  starting spilo haproxy");
            stopper.stopHaproxyLeftover(layout);
            haproxy = startHaproxy(layout.with(etcd, nodes, haproxy));
        }
        DemoLayout updated = layout.with(etcd, nodes, haproxy);
        writeLayout(updated);
        DemoHealth.awaitHealthy(updated, DemoSecrets.readOrCreate(directory.resolve("secrets"), Path.of(updated.connect().passfile())),
                directory);
        out.printf("Spilo demo ready in %.1f s.%n", (System.nanoTime() - startedAt) / 1e9);
        printSummary(updated);
        return updated;
    }

    /** SIGKILL of one node's agent and PostgreSQL (the postmaster and its backends), as a machine crash would. */
    public void kill(String nodeName) throws IOException {
        DemoLayout layout = existingLayout();
        DemoLayout.Node node = node(layout, nodeName);
        boolean agent = Signals.isSameProcess(node.agentPid(), node.agentStartedAtEpochMillis());
        if (agent) {
            Signals.send(node.agentPid(), "KILL");
        }
        Optional<Long> postmaster = stopper.postmaster(node);
        postmaster.flatMap(ProcessHandle::of).ifPresent(process -> {
            process.children().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        });
        out.println("Killed " + nodeName + ": " + (agent ? "agent pid " + node.agentPid() : "no agent running")
                + (postmaster.map(pid -> ", PostgreSQL pid " + pid).orElse(", no PostgreSQL running")) + " (SIGKILL)."
                + " Watch the failover: bin/spilo demo status --dir " + directory + ", or " + statusPage(layout));
    }

    /** Starts one node's agent again; it adopts or starts its PostgreSQL and rejoins the cluster. */
    public void startNode(String nodeName) throws IOException {
        DemoLayout layout = existingLayout();
        DemoLayout.Node node = node(layout, nodeName);
        if (Signals.isSameProcess(node.agentPid(), node.agentStartedAtEpochMillis())) {
            out.println(nodeName + "'s agent is already running (pid " + node.agentPid() + ")");
            return;
        }
        DemoLayout.Node started = startAgent(node);
        List<DemoLayout.Node> nodes = layout.nodes().stream().map(each -> each.name().equals(nodeName) ? started : each).toList();
        writeLayout(layout.with(layout.etcd(), nodes, layout.haproxy()));
        out.println("Started " + nodeName + "'s agent (pid " + started.agentPid() + "): it rejoins the cluster as a replica."
                + " Watch it: bin/spilo demo status --dir " + directory);
    }

    /** Each process of the demo and whether it runs; returns the layout (the caller lists the cluster itself). */
    public DemoLayout status() throws IOException {
        DemoLayout layout = existingLayout();
        out.println("Demo in " + directory + ":");
        for (DemoLayout.EtcdMember member : layout.etcd()) {
            out.println("  " + running(member.pid(), member.startedAtEpochMillis()) + "  " + member.name() + " (etcd, 127.0.0.1:"
                    + member.clientPort() + ")");
        }
        for (DemoLayout.Node node : layout.nodes()) {
            out.println("  " + running(node.agentPid(), node.agentStartedAtEpochMillis()) + "  " + node.name() + " agent ("
                    + node.restUrl() + "), PostgreSQL " + stopper.postmaster(node).map(pid -> "pid " + pid).orElse("stopped")
                    + " on 127.0.0.1:" + node.postgresPort());
        }
        out.println("  " + running(layout.haproxy().pid(), layout.haproxy().startedAtEpochMillis()) + "  spilo haproxy (read-write 127.0.0.1:"
                + layout.haproxy().primaryPort() + ", read-only 127.0.0.1:" + layout.haproxy().replicaPort() + ")");
        out.println("Status page: " + statusPage(layout));
        out.flush();
        return layout;
    }

    private static String running(long pid, long startedAt) {
        return Signals.isSameProcess(pid, startedAt) ? "running pid " + pid : "stopped        ";
    }

    /** The page of the first member whose agent runs (any member serves it; the page follows the others by itself). */
    private static String statusPage(DemoLayout layout) {
        DemoLayout.Node serving = layout.nodes().stream().filter(node -> Signals.isSameProcess(node.agentPid(),
                node.agentStartedAtEpochMillis())).findFirst().orElse(layout.nodes().get(0));
        return serving.restUrl().replaceFirst("/patroni$", "/ui");
    }

    private DemoLayout existingLayout() throws IOException {
        return readLayout().orElseThrow(() -> new DemoException("no demo in " + directory + " (no " + LAYOUT_FILE
                + "); start one with: bin/spilo demo --dir " + directory));
    }

    private static DemoLayout.Node node(DemoLayout layout, String name) {
        return layout.nodes().stream().filter(node -> node.name().equals(name)).findFirst().orElseThrow(() -> new DemoException(
                "the demo has no node " + name + "; its nodes: " + String.join(", ", layout.nodes().stream().map(DemoLayout.Node::name)
                        .toList())));
    }

    /**
     * A new demo archives its WAL from the start and takes a first full backup, in the background on
     * the leader. A convenience: whatever goes wrong here is reported, and the demo runs on.
     */
    private void startFirstBackup(DemoLayout layout) {
        String config = layout.nodes().get(0).configFile();
        String retry = " (run bin/spilo backup -c " + config + " --type full)";
        try {
            io.spilo.process.ProcessResult result = io.spilo.process.ProcessRunner.asCurrentUser().run(
                    javaCommand("backup", "-c", config, "--type", "full", "--no-wait"), java.util.Map.of(), Duration.ofSeconds(60));
            out.println(result.succeeded() ? "First full backup started on the leader (pgBackRest, repository "
                    + directory.resolve("backups") + "); list backups with: bin/spilo backups -c " + config
                    : "The first full backup did not start: " + result.tail() + retry);
        } catch (io.spilo.process.ProcessFailedException e) {
            out.println("The first full backup did not start: " + e.getMessage() + retry);
        }
    }

    /** Stops every process of the demo in this directory, by pid: HAProxy, agents, PostgreSQL, etcd. Data stays. */
    public void stop() throws IOException {
        Optional<DemoLayout> found = readLayout();
        if (found.isEmpty()) {
            throw new DemoException("no demo in " + directory + " (no " + LAYOUT_FILE + ")");
        }
        DemoLayout layout = found.get();
        stopper.stopProcess("spilo haproxy", layout.haproxy().pid(), layout.haproxy().startedAtEpochMillis(), "TERM");
        stopper.stopHaproxyLeftover(layout);
        for (DemoLayout.Node node : layout.nodes()) {
            stopper.stopProcess("agent " + node.name(), node.agentPid(), node.agentStartedAtEpochMillis(), "TERM");
        }
        for (DemoLayout.Node node : layout.nodes()) {
            stopper.stopPostgres(node);
        }
        for (DemoLayout.EtcdMember member : layout.etcd()) {
            stopper.stopProcess("etcd " + member.name(), member.pid(), member.startedAtEpochMillis(), "TERM");
        }
        out.println("Stopped the demo in " + directory + "; its data stays there (bin/spilo demo --dir " + directory + " brings it back).");
    }

    private List<DemoLayout.EtcdMember> startEtcd(List<DemoLayout.EtcdMember> members, Optional<DemoTls> tls)
            throws InterruptedException {
        return startEtcd(members, member -> true, tls);
    }

    /** Starts the members {@code which} selects (the cluster is always all of {@code members}); the list with their new pids. */
    private List<DemoLayout.EtcdMember> startEtcd(List<DemoLayout.EtcdMember> members,
            java.util.function.Predicate<DemoLayout.EtcdMember> which, Optional<DemoTls> tls) throws InterruptedException {
        String scheme = tls.isPresent() ? "https" : "http";
        StringBuilder initialCluster = new StringBuilder();
        for (DemoLayout.EtcdMember member : members) {
            if (initialCluster.length() > 0) {
                initialCluster.append(',');
            }
            initialCluster.append(member.name()).append("=").append(scheme).append("://127.0.0.1:").append(member.peerPort());
        }
        List<DemoLayout.EtcdMember> result = new ArrayList<>();
        List<DemoLayout.EtcdMember> started = new ArrayList<>();
        for (DemoLayout.EtcdMember member : members) {
            if (!which.test(member)) {
                result.add(member);
                continue;
            }
            String client = scheme + "://127.0.0.1:" + member.clientPort();
            String peer = scheme + "://127.0.0.1:" + member.peerPort();
            List<String> command = new ArrayList<>(List.of("etcd", "--name", member.name(),
                    "--data-dir", member.dataDirectory(), "--listen-client-urls", client, "--advertise-client-urls", client,
                    "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                    "--initial-cluster", initialCluster.toString(), "--initial-cluster-token", "spilo-demo",
                    "--initial-cluster-state", "new"));
            tls.ifPresent(files -> {
                String certificate = files.certificate("etcd").toString();
                String key = files.key("etcd").toString();
                // Clients and peers alike must present a certificate of the demo's CA.
                command.addAll(List.of("--cert-file", certificate, "--key-file", key, "--trusted-ca-file", files.ca(),
                        "--client-cert-auth", "--peer-cert-file", certificate, "--peer-key-file", key,
                        "--peer-trusted-ca-file", files.ca(), "--peer-client-cert-auth"));
            });
            ChildProcess process = ChildProcess.start("etcd " + member.name(), command,
                    directory.resolve("logs").resolve(member.name() + ".log"), true);
            DemoLayout.EtcdMember running = member.withProcess(process.pid(), startTime(process.pid()));
            started.add(running);
            result.add(running);
        }
        for (DemoLayout.EtcdMember member : started) {
            DemoHealth.awaitHttp("etcd " + member.name(), scheme + "://127.0.0.1:" + member.clientPort() + "/health",
                    Duration.ofSeconds(60), tls);
        }
        return result;
    }

    private DemoLayout.Node startAgent(DemoLayout.Node node) {
        ChildProcess process = ChildProcess.start("agent " + node.name(), javaCommand("agent", "-c", node.configFile()),
                Path.of(node.log()), true);
        return node.withProcess(process.pid(), startTime(process.pid()));
    }

    private DemoLayout.Haproxy startHaproxy(DemoLayout layout) {
        ChildProcess process = ChildProcess.start("spilo haproxy", javaCommand("haproxy", "-c", layout.nodes().get(0).configFile()),
                directory.resolve("logs").resolve("haproxy.log"), true);
        return layout.haproxy().withProcess(process.pid(), startTime(process.pid()));
    }

    private Path runJar() {
        return directory.resolve("spilo.jar");
    }

    private List<String> javaCommand(String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Not the build's class-data archive: Java 17 ties it to the jar's path, and building one for
        // the copy would cost a fresh demo more time than it saves.
        command.addAll(JvmOptions.fromEnvironment(System.getenv()));
        // Everything of a demo stays in its directory, also the temporary files of a process killed mid-way.
        Path temporary = directory.resolve("tmp");
        try {
            Files.createDirectories(temporary);
        } catch (IOException e) {
            throw new DemoException("cannot create " + temporary + ": " + e.getMessage());
        }
        command.add("-Djava.io.tmpdir=" + temporary);
        command.addAll(List.of("-jar", runJar().toString()));
        command.addAll(List.of(arguments));
        return command;
    }

    private static long startTime(long pid) {
        return Signals.startTime(pid).map(java.time.Instant::toEpochMilli).orElse(0L);
    }

    private void printSummary(DemoLayout layout) {
        out.println();
        out.println("Connect (password in " + layout.connect().passfile() + "):");
        out.println("  primary (read-write):  " + layout.connect().primary());
        out.println("  replicas (read-only):  " + layout.connect().replicas());
        if (layout.connect().primaryUri() != null) {
            out.println("  URIs for any driver:   " + layout.connect().primaryUri());
            out.println("                         " + layout.connect().replicasUri());
        }
        out.println("Status page (live):     " + statusPage(layout));
        out.println("Try a failover:         bin/spilo demo kill node1 --dir " + directory + "; bin/spilo demo status --dir " + directory
                + "; bin/spilo demo start node1 --dir " + directory);
        out.println("REST API of each member:");
        for (DemoLayout.Node node : layout.nodes()) {
            out.println("  " + node.name() + ": " + node.restUrl() + "   (PostgreSQL on 127.0.0.1:" + node.postgresPort()
                    + ", log " + node.log() + ")");
        }
        layout.tlsFiles().ifPresent(tls -> {
            out.println("TLS on every link; the demo's CA: " + tls.ca());
            out.println("  curl --cacert " + tls.ca() + " --cert " + tls.clientCertificate() + " --key " + tls.clientKey()
                    + " " + layout.nodes().get(0).restUrl());
        });
        out.println("HAProxy stats page:     " + layout.haproxy().statsUrl());
        out.println("Everything about this demo: " + layoutFile());
        out.flush();
    }

    private Optional<DemoLayout> readLayout() throws IOException {
        Path file = layoutFile();
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Optional.of(JSON.readValue(file.toFile(), DemoLayout.class));
    }

    private void writeLayout(DemoLayout layout) throws IOException {
        Path temporary = directory.resolve(LAYOUT_FILE + ".tmp");
        JSON.writeValue(temporary.toFile(), layout);
        Files.move(temporary, layoutFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void createDirectory(Path path) throws IOException {
        Files.createDirectories(path);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
