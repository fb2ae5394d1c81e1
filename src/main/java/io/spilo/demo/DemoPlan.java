package io.spilo.demo;

import io.spilo.config.AgentYaml;
import io.spilo.config.PrivateFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Where the demo's processes listen and what each agent's configuration says: ports chosen, YAML written. */
final class DemoPlan {
    static final String SCOPE = "demo";
    static final int NODES = 3;

    private final Path directory;
    private final PrintWriter out;
    private final Set<Integer> claimedPorts = new HashSet<>();

    DemoPlan(Path directory, PrintWriter out) {
        this.directory = directory;
        this.out = out;
    }


    DemoLayout plan(int etcdMembers, Path passfile) {
        List<DemoLayout.EtcdMember> etcd = new ArrayList<>();
        for (int i = 0; i < etcdMembers; i++) {
            String name = "etcd" + (i + 1);
            etcd.add(new DemoLayout.EtcdMember(name, port(2379 + 2 * i), port(2380 + 2 * i),
                    directory.resolve("etcd").resolve(name).toString(), 0, 0));
        }
        List<DemoLayout.Node> nodes = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            String name = "node" + (i + 1);
            int apiPort = port(8008 + i);
            nodes.add(new DemoLayout.Node(name, port(5432 + i), apiPort, directory.resolve(name + ".yml").toString(),
                    directory.resolve("data").resolve(name).toString(), directory.resolve("logs").resolve(name + ".log").toString(),
                    "http://127.0.0.1:" + apiPort + "/patroni", 0, 0));
        }
        int primaryPort = port(5000);
        int replicaPort = port(5001);
        int statsPort = port(7000);
        DemoLayout.Haproxy haproxy = new DemoLayout.Haproxy(primaryPort, replicaPort, statsPort,
                "http://127.0.0.1:" + statsPort + "/", directory.resolve("haproxy").toString(), 0, 0);
        DemoLayout.Connect connect = new DemoLayout.Connect(
                "PGPASSFILE=" + passfile + " psql -h 127.0.0.1 -p " + primaryPort + " -U postgres",
                "PGPASSFILE=" + passfile + " psql -h 127.0.0.1 -p " + replicaPort + " -U postgres",
                passfile.toString());
        return new DemoLayout(SCOPE, directory.toString(), etcd, nodes, haproxy, connect);
    }


    /** The preferred port if nobody listens there, else a free one; either way reported. */
    private int port(int preferred) {
        if (!claimedPorts.contains(preferred) && isFree(preferred)) {
            claimedPorts.add(preferred);
            return preferred;
        }
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int chosen = socket.getLocalPort();
                if (claimedPorts.add(chosen)) {
                    out.println("port " + preferred + " is taken; using " + chosen + " instead");
                    return chosen;
                }
            } catch (IOException e) {
                throw new DemoException("cannot find a free port: " + e.getMessage());
            }
        }
        throw new DemoException("cannot find a free port");
    }


    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }


    void checkPortsFree(DemoLayout layout) {
        List<Integer> ports = new ArrayList<>();
        layout.etcd().forEach(member -> ports.addAll(List.of(member.clientPort(), member.peerPort())));
        layout.nodes().forEach(node -> ports.addAll(List.of(node.postgresPort(), node.apiPort())));
        ports.addAll(List.of(layout.haproxy().primaryPort(), layout.haproxy().replicaPort(), layout.haproxy().statsPort()));
        List<Integer> taken = ports.stream().filter(port -> !isFree(port)).toList();
        if (!taken.isEmpty()) {
            throw new DemoException("ports " + taken + " of the demo in " + directory + " are in use by other programs;"
                    + " stop them, or start a new demo with another --dir");
        }
    }


    void writeNodeConfig(DemoLayout.Node node, DemoLayout layout, DemoSecrets secrets) throws IOException {
        StringBuilder hosts = new StringBuilder();
        for (DemoLayout.EtcdMember member : layout.etcd()) {
            if (hosts.length() > 0) {
                hosts.append(',');
            }
            hosts.append("127.0.0.1:").append(member.clientPort());
        }
        Map<String, Object> haproxy = new LinkedHashMap<>();
        haproxy.put("bind", "127.0.0.1");
        haproxy.put("primary_port", layout.haproxy().primaryPort());
        haproxy.put("replica_port", layout.haproxy().replicaPort());
        haproxy.put("stats_port", layout.haproxy().statsPort());
        haproxy.put("state_dir", layout.haproxy().stateDirectory());
        String yaml = "# Written by spilo demo. A Patroni-style configuration for the etcd3 store.\n"
                + AgentYaml.member(layout.scope(), node.name())
                        .restApi("127.0.0.1:" + node.apiPort())
                        .etcdHosts(hosts.toString())
                        .dcs("postgresql", Map.of("use_pg_rewind", true, "use_slots", true))
                        .initdb(Map.of("encoding", "UTF8"), Map.of("locale", "C.UTF-8"), "data-checksums")
                        .postgres("127.0.0.1:" + node.postgresPort(), node.dataDirectory(), secrets.superuserPassword(),
                                secrets.replicationPassword())
                        .postgresSetting("pgpass", directory.resolve(node.name() + ".pgpass").toString())
                        .postgresSetting("remove_data_directory_on_rewind_failure", true)
                        .section("haproxy", haproxy)
                        .render();
        Path file = Path.of(node.configFile());
        PrivateFiles.write(file, yaml);
    }
}
