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

    static List<String> nodeNames() {
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= NODES; i++) {
            names.add("node" + i);
        }
        return names;
    }

    private final Path directory;
    private final PrintWriter out;
    private final Set<Integer> claimedPorts = new HashSet<>();

    DemoPlan(Path directory, PrintWriter out) {
        this.directory = directory;
        this.out = out;
    }


    DemoLayout plan(int etcdMembers, Path passfile, java.util.Optional<DemoTls> tls) {
        String scheme = tls.isPresent() ? "https" : "http";
        List<DemoLayout.EtcdMember> etcd = new ArrayList<>();
        for (int i = 0; i < etcdMembers; i++) {
            String name = "etcd" + (i + 1);
            etcd.add(new DemoLayout.EtcdMember(name, port(2379 + 2 * i), port(2380 + 2 * i),
                    directory.resolve("etcd").resolve(name).toString(), 0, 0));
        }
        List<DemoLayout.Node> nodes = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            String name = nodeNames().get(i);
            int apiPort = port(8008 + i);
            nodes.add(new DemoLayout.Node(name, port(5432 + i), apiPort, directory.resolve(name + ".yml").toString(),
                    directory.resolve("data").resolve(name).toString(), directory.resolve("logs").resolve(name + ".log").toString(),
                    scheme + "://127.0.0.1:" + apiPort + "/patroni", 0, 0));
        }
        int primaryPort = port(5000);
        int replicaPort = port(5001);
        int statsPort = port(7000);
        DemoLayout.Haproxy haproxy = new DemoLayout.Haproxy(primaryPort, replicaPort, statsPort,
                "http://127.0.0.1:" + statsPort + "/", directory.resolve("haproxy").toString(), 0, 0);
        DemoLayout.Connect connect = new DemoLayout.Connect(psql(passfile, primaryPort, tls), psql(passfile, replicaPort, tls),
                passfile.toString(), uri(passfile, primaryPort, tls), uri(passfile, replicaPort, tls));
        return new DemoLayout(SCOPE, directory.toString(), etcd, nodes, haproxy, connect, tls.orElse(null));
    }

    /** With TLS, a connection string that checks the server's certificate against the demo's CA (and its name). */
    private static String psql(Path passfile, int port, java.util.Optional<DemoTls> tls) {
        return tls.map(files -> "PGPASSFILE=" + passfile + " psql \"host=127.0.0.1 port=" + port
                        + " user=postgres dbname=postgres sslmode=verify-full sslrootcert=" + files.ca() + "\"")
                .orElse("PGPASSFILE=" + passfile + " psql -h 127.0.0.1 -p " + port + " -U postgres");
    }


    /** A libpq connection URI; the paths are percent-encoded where a URI needs it. */
    static String uri(Path passfile, int port, java.util.Optional<DemoTls> tls) {
        return "postgresql://postgres@127.0.0.1:" + port + "/postgres?passfile=" + encode(passfile.toString())
                + tls.map(files -> "&sslmode=verify-full&sslrootcert=" + encode(files.ca())).orElse("");
    }

    private static String encode(String path) {
        return java.net.URLEncoder.encode(path, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/");
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


    /** pgBackRest is installed where the agent looks for it: the demo archives and backs up (bin/setup installs it). */
    static boolean backupsAvailable() {
        return java.nio.file.Files.isExecutable(Path.of("/usr/bin/pgbackrest"));
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
                        .merge(backupsAvailable() ? "backup: {repository: '" + directory.resolve("backups")
                                + "', options: {repo1-retention-full: 2}}" : "")
                        .merge(layout.tlsFiles().map(tls -> tlsSettings(node.name(), tls)).orElse(""))
                        .render();
        Path file = Path.of(node.configFile());
        PrivateFiles.write(file, yaml);
    }

    /**
     * TLS on every link, in Patroni's keys (as JSON, which is YAML too): the REST API requires a
     * client certificate, commands and HAProxy's checks present the operator's, etcd is reached
     * with the node's certificate, PostgreSQL serves TLS and replicas check its certificate.
     */
    private static String tlsSettings(String node, DemoTls tls) {
        com.fasterxml.jackson.databind.node.ObjectNode root = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        root.putObject("restapi").put("certfile", tls.certificate(node).toString()).put("keyfile", tls.key(node).toString())
                .put("cafile", tls.ca()).put("verify_client", "required");
        root.putObject("ctl").put("certfile", tls.clientCertificate()).put("keyfile", tls.clientKey()).put("cacert", tls.ca());
        root.putObject("etcd3").put("protocol", "https").put("cacert", tls.ca()).put("cert", tls.certificate(node).toString())
                .put("key", tls.key(node).toString());
        com.fasterxml.jackson.databind.node.ObjectNode postgres = root.putObject("postgresql");
        postgres.putObject("parameters").put("ssl", "on").put("ssl_cert_file", tls.certificate(node).toString())
                .put("ssl_key_file", tls.key(node).toString());
        com.fasterxml.jackson.databind.node.ObjectNode authentication = postgres.putObject("authentication");
        for (String role : List.of("superuser", "replication")) {
            authentication.putObject(role).put("sslmode", "verify-full").put("sslrootcert", tls.ca());
        }
        return root.toString();
    }
}
