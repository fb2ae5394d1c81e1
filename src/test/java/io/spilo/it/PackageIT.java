package io.spilo.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.spilo.process.ChildProcess;
import io.spilo.process.ProcessResult;
import io.spilo.process.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Issue 17, the node appliance: the Debian package the build makes is installed on this machine
 * ({@code dpkg -i}), its units pass {@code systemd-analyze verify}, and three "machines" (network
 * namespaces, each with its own {@code /etc/spilo} through {@code ip netns exec}'s /etc/netns
 * binding) run the units' ExecStart commands exactly as the unit files say, as the user they
 * name: a local etcd gRPC proxy in front of a three-member etcd cluster, the agent, HAProxy.
 * Isolated: it installs a package system-wide (and removes it after, unless it was installed before).
 */
@Isolated("installs the spilo package on this machine")
class PackageIT {
    private static final Duration CONVERGE = Duration.ofSeconds(120);
    private static final ProcessRunner ROOT = ProcessRunner.asCurrentUser();
    private static final List<String> UNITS = List.of("spilo-etcd-proxy.service", "spilo.service", "spilo-haproxy.service");
    private static boolean installedBefore;
    private static boolean installedHere;

    @BeforeAll
    static void install() {
        assumeTrue("root".equals(System.getProperty("user.name")), "installing a package needs root (run bin/test as root)");
        String unavailable = NetworkLab.unavailableReason();
        assumeTrue(unavailable.isEmpty(), unavailable);
        installedBefore = ROOT.run(List.of("dpkg", "-s", "spilo"), Map.of(), Duration.ofSeconds(30)).succeeded();
        ProcessResult install = ROOT.run(List.of("dpkg", "-i", debianPackage().toString()), Map.of("DEBIAN_FRONTEND", "noninteractive"),
                Duration.ofMinutes(5));
        assertThat(install.exitCode()).as("dpkg -i: %s", install.output()).isZero();
        installedHere = true;
    }

    @AfterAll
    static void remove() {
        if (installedHere && !installedBefore) {
            ROOT.run(List.of("dpkg", "--purge", "spilo"), Map.of("DEBIAN_FRONTEND", "noninteractive"), Duration.ofMinutes(2));
        }
    }

    private static Path debianPackage() {
        Path target = Path.of(System.getProperty("spilo.jar", "target/spilo.jar")).toAbsolutePath().getParent();
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(file -> file.getFileName().toString().matches("spilo_.*_all\\.deb")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no spilo_<version>_all.deb in " + target + ": mvn package builds it"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theInstalledCommandRunsFromUsrBinWithItsClassArchive() {
        ProcessResult version = ROOT.run(List.of("/usr/bin/spilo", "--version"), Map.of(), Duration.ofSeconds(30));
        assertThat(version.exitCode()).as(version.output()).isZero();
        assertThat(version.output()).startsWith("spilo " + io.spilo.ha.HaLoop.VERSION);
        assertThat(Path.of("/usr/share/spilo/spilo.jsa")).as("the archive postinst builds").exists();
        ProcessResult validate = ROOT.run(List.of("/usr/bin/spilo", "agent", "--validate", "-c", "/etc/spilo/spilo.yml"), Map.of(),
                Duration.ofSeconds(30));
        assertThat(validate.exitCode()).as("the example configuration is valid: %s", validate.output()).isZero();
    }

    @Test
    void theUnitsPassSystemdAnalyzeVerify() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/systemd-analyze")), "systemd-analyze is not installed");
        List<String> command = new ArrayList<>(List.of("systemd-analyze", "verify"));
        UNITS.forEach(unit -> command.add("/lib/systemd/system/" + unit));
        ProcessResult verify = ROOT.run(command, Map.of(), Duration.ofMinutes(1));
        assertThat(verify.exitCode()).as("systemd-analyze verify: %s", verify.output()).isZero();
    }

    @Test
    void threeMachinesRunningTheUnitsFormAClusterAndServeWritesWhenThePrimarysMachineIsCutOff() throws Exception {
        List<Machine> machines = new ArrayList<>();
        try (NetworkLab lab = new NetworkLab(); TestDirectory directory = new TestDirectory("spilo-it-package-")) {
            List<NetworkLab.Host> etcdHosts = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                etcdHosts.add(lab.addHost("etcd" + i));
            }
            NetworkLab.Host client = lab.addHost("client");
            List<ChildProcess> etcd = new ArrayList<>();
            try {
                startEtcd(etcdHosts, directory, etcd);
                String endpoints = String.join(",", etcdHosts.stream().map(host -> host.address() + ":2379").toList());
                for (int i = 1; i <= 3; i++) {
                    machines.add(new Machine("node" + i, lab.addHost("node" + i), directory.resolve("node" + i)));
                }
                for (Machine machine : machines) {
                    machine.configure(endpoints);
                    machine.startUnits();
                }
                Awaitility.await("one primary, two streaming replicas").atMost(CONVERGE).pollInterval(Duration.ofMillis(300))
                        .until(() -> primaries(machines).size() == 1 && machines.stream().filter(Machine::streaming).count() == 2);
                for (Machine machine : machines) {
                    Awaitility.await("writes through " + machine.name + "'s HAProxy").atMost(CONVERGE).pollInterval(Duration.ofMillis(300))
                            .until(() -> write(client, machine.host.address()));
                }
                Machine primary = primaries(machines).get(0);
                lab.linkDown(primary.host);
                List<Machine> others = machines.stream().filter(machine -> machine != primary).toList();
                for (Machine machine : others) {
                    Awaitility.await("writes through " + machine.name + "'s HAProxy after " + primary.name + " was cut off")
                            .atMost(CONVERGE).pollInterval(Duration.ofMillis(300)).until(() -> write(client, machine.host.address()));
                }
                assertThat(primaries(others)).hasSize(1);
            } finally {
                machines.forEach(Machine::stop);
                etcd.forEach(ChildProcess::close);
            }
        }
    }

    private static void startEtcd(List<NetworkLab.Host> hosts, TestDirectory directory, List<ChildProcess> etcd) {
        String initialCluster = String.join(",", hosts.stream().map(host -> host.name() + "=http://" + host.address() + ":2380").toList());
        for (NetworkLab.Host host : hosts) {
            String clientUrl = "http://" + host.address() + ":2379";
            String peer = "http://" + host.address() + ":2380";
            etcd.add(ChildProcess.start("etcd " + host.name(), NetworkLab.inside(host, List.of("etcd", "--name", host.name(),
                    "--data-dir", directory.resolve(host.name()).toString(), "--listen-client-urls", clientUrl,
                    "--advertise-client-urls", clientUrl, "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                    "--initial-cluster", initialCluster, "--initial-cluster-state", "new")), directory.resolve(host.name() + ".log"), false));
        }
    }

    private static List<Machine> primaries(List<Machine> machines) {
        return machines.stream().filter(Machine::primary).toList();
    }

    /** One write through the HAProxy of the machine at {@code address}, by psql in the client's namespace. */
    private static boolean write(NetworkLab.Host client, String address) {
        List<String> psql = List.of("/usr/lib/postgresql/15/bin/psql", "host=" + address + " port=5000 user=postgres dbname=postgres"
                + " connect_timeout=2", "-v", "ON_ERROR_STOP=1", "-c", "CREATE TABLE IF NOT EXISTS package_writes (via text,"
                + " at timestamptz DEFAULT now())", "-c", "INSERT INTO package_writes (via) VALUES ('" + address + "')");
        return ROOT.run(NetworkLab.inside(client, psql), Map.of("PGPASSWORD", AgentNode.SUPERUSER_PASSWORD), Duration.ofSeconds(10))
                .succeeded();
    }

    /** One "machine": a namespace whose /etc/spilo is its own (/etc/netns/NAME/spilo), running the three units. */
    private static final class Machine {
        final String name;
        final NetworkLab.Host host;
        final Path directory;
        final Path etcOverlay;
        final List<ChildProcess> units = new ArrayList<>();
        final AgentNode probe;

        Machine(String name, NetworkLab.Host host, Path directory) {
            this.name = name;
            this.host = host;
            this.directory = directory;
            this.etcOverlay = Path.of("/etc/netns", host.namespace());
            this.probe = new AgentNode(directory, name, host, node -> "");
        }

        void configure(String endpoints) throws IOException {
            UserPrincipalLookupService users = directory.getFileSystem().getUserPrincipalLookupService();
            Files.createDirectories(directory);
            Files.setOwner(directory, users.lookupPrincipalByName("postgres"));
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
            String yaml = io.spilo.config.AgentYaml.member("appliance", name)
                    .restApi(host.address() + ":8008")
                    .etcdHosts("127.0.0.1:2379")
                    .timing(new io.spilo.config.TimingSettings(10, 2, 3))
                    .postgres(host.address() + ":5432", directory.resolve("pgdata").toString(), AgentNode.SUPERUSER_PASSWORD, "appliance-repl")
                    .section("etcd_proxy", Map.of("endpoints", endpoints, "listen", "127.0.0.1:2379",
                            "data_dir", directory.resolve("etcd-proxy").toString()))
                    .section("haproxy", Map.of("bind", host.address(), "state_dir", directory.resolve("haproxy").toString()))
                    .render();
            Path etcSpilo = etcOverlay.resolve("spilo");
            Files.createDirectories(etcSpilo);
            Path file = etcSpilo.resolve("spilo.yml");
            io.spilo.config.PrivateFiles.write(file, yaml);
            Files.setOwner(file, users.lookupPrincipalByName("postgres"));
        }

        void startUnits() throws IOException {
            for (String unit : UNITS) {
                UnitFile file = UnitFile.read(Path.of("/lib/systemd/system", unit));
                List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + file.user(), "--regid=" + file.group(),
                        "--init-groups"));
                command.addAll(file.execStart());
                units.add(ChildProcess.start(name + " " + unit, NetworkLab.inside(host, command), directory.getParent().resolve(name
                        + "." + unit + ".log"), false));
            }
        }

        boolean primary() {
            return probe.status("/primary") == 200;
        }

        boolean streaming() {
            return probe.status("/replica") == 200 && "streaming".equals(probe.json("/patroni").path("replication_state").asText());
        }

        void stop() {
            for (int i = units.size() - 1; i >= 0; i--) {
                units.get(i).close();
            }
            Optional<Long> postmaster = io.spilo.postgres.PostmasterPidFile.recordedPid(directory.resolve("pgdata"));
            postmaster.flatMap(ProcessHandle::of).ifPresent(process -> {
                process.children().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            });
            try (Stream<Path> files = Files.exists(etcOverlay) ? Files.walk(etcOverlay) : Stream.empty()) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException e) {
                System.err.println("cannot remove " + etcOverlay + ": " + e.getMessage());
            }
        }
    }
}
