package io.spilo.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.spilo.process.ChildProcess;
import io.spilo.process.ProcessRunner;
import io.spilo.process.Signals;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 2: exactly one HAProxy serves a state directory, and it never outlives the
 * {@code spilo haproxy} that runs it (a SIGKILLed supervisor used to leave it routing, and a
 * restarted one started a second HAProxy on the same ports).
 */
class HaproxyLifecycleIT {
    private static final Duration CONVERGE = Duration.ofSeconds(90);
    private TestCluster cluster;
    private Path haproxyConfig;
    private Path state;
    private int primaryPort;
    private final List<ChildProcess> supervisors = new ArrayList<>();
    private final List<Long> strayHaproxies = new ArrayList<>();

    @BeforeEach
    void oneMemberCluster() throws IOException {
        cluster = new TestCluster("proxylife", 1, "");
        cluster.startWithNode1Leading(CONVERGE);
        primaryPort = FreePorts.next();
        state = cluster.directory.resolve("haproxy");
        haproxyConfig = cluster.directory.resolve("haproxy.yml");
        Files.writeString(haproxyConfig, Files.readString(cluster.nodes.get(0).configFile) + "haproxy:\n  primary_port: "
                + primaryPort + "\n  replica_port: " + FreePorts.next() + "\n  stats_port: " + FreePorts.next()
                + "\n  state_dir: " + state + "\n");
    }

    @AfterEach
    void stopEverything() {
        supervisors.forEach(ChildProcess::close);
        strayHaproxies.forEach(pid -> Signals.send(pid, "KILL"));
        processesServing().forEach(handle -> Signals.send(handle.pid(), "KILL"));
        cluster.close();
    }

    private ChildProcess startSupervisor() {
        ChildProcess supervisor = ChildProcess.start("spilo haproxy", AgentNode.spiloCommand("haproxy", "-c", haproxyConfig.toString()),
                cluster.directory.resolve("spilo-haproxy." + supervisors.size() + ".log"), false);
        supervisors.add(supervisor);
        return supervisor;
    }

    /** Every HAProxy process (master and workers) running this state directory's configuration. */
    private List<ProcessHandle> processesServing() {
        String configFile = state.resolve("haproxy.cfg").toString();
        return ProcessHandle.allProcesses().filter(handle -> runs(handle.pid()))
                .filter(handle -> handle.info().command().map(command -> command.endsWith("/haproxy")).orElse(false))
                .filter(handle -> handle.info().arguments().map(arguments -> List.of(arguments).contains(configFile)).orElse(false))
                .toList();
    }

    /**
     * Whether the process exists and has not exited. An exited orphan may stay a zombie for a while
     * (re-parented to an init that reaps late), which ProcessHandle still reports as alive.
     */
    private static boolean runs(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    /** HAProxy masters: serving processes whose parent is not itself one. */
    private List<ProcessHandle> masters() {
        List<ProcessHandle> serving = processesServing();
        List<Long> pids = serving.stream().map(ProcessHandle::pid).toList();
        return serving.stream().filter(handle -> handle.parent().map(parent -> !pids.contains(parent.pid())).orElse(true)).toList();
    }

    private void awaitRouting() {
        await("HAProxy routes to the primary").atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> new HaproxyStats(state.resolve("haproxy.sock")).upServers("primary").equals(List.of("node1")));
    }

    @Test
    void haproxyDiesWithItsSupervisorAndARestartedSupervisorRunsExactlyOne() throws Exception {
        ChildProcess first = startSupervisor();
        awaitRouting();
        assertThat(masters()).hasSize(1);

        first.signal("KILL");
        first.waitFor(Duration.ofSeconds(10));
        await("HAProxy exits with its supervisor").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> processesServing().isEmpty());

        ChildProcess second = startSupervisor();
        await("the new supervisor runs its own HAProxy").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                .until(() -> !masters().isEmpty());
        awaitRouting();
        assertThat(masters()).hasSize(1);
        assertThat(masters().get(0).parent().map(ProcessHandle::pid)).hasValue(second.pid());
    }

    @Test
    void aHaproxyLeftBehindIsStoppedBeforeANewOneStarts() throws Exception {
        ChildProcess first = startSupervisor();
        awaitRouting();
        first.close();
        await().atMost(Duration.ofSeconds(15)).until(() -> processesServing().isEmpty());
        // An orphan as an older spilo haproxy could leave it: daemonized, parent gone, same pid file and ports.
        var result = ProcessRunner.asCurrentUser().run(List.of("haproxy", "-D", "-W", "-p", state.resolve("haproxy.pid").toString(),
                "-f", state.resolve("haproxy.cfg").toString()), Map.of(), Duration.ofSeconds(20));
        assertThat(result.succeeded()).as(result.tail()).isTrue();
        await("the orphan runs").atMost(Duration.ofSeconds(10)).until(() -> masters().size() == 1);
        long orphan = masters().get(0).pid();
        strayHaproxies.add(orphan);

        ChildProcess second = startSupervisor();
        // The orphan answers on the same stats socket: wait for the new supervisor's own HAProxy.
        await("the new supervisor runs its own HAProxy").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                .until(() -> masters().stream().anyMatch(master -> master.parent().map(ProcessHandle::pid).orElse(0L) == second.pid()));
        awaitRouting();

        assertThat(runs(orphan)).as("the orphan was stopped").isFalse();
        assertThat(masters()).hasSize(1);
        assertThat(masters().get(0).parent().map(ProcessHandle::pid)).hasValue(second.pid());
    }

    @Test
    void aTakenPortIsAClearErrorNotASecondListener() throws Exception {
        try (ServerSocket taken = new ServerSocket(primaryPort, 1, InetAddress.getLoopbackAddress())) {
            ChildProcess supervisor = startSupervisor();
            int exit = supervisor.waitFor(Duration.ofSeconds(60));

            assertThat(exit).isEqualTo(1);
            assertThat(Files.readString(supervisor.log())).contains("port " + primaryPort).contains("already in use");
            assertThat(processesServing()).isEmpty();
        }
    }
}
