package io.spilo.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.spilo.cli.Main;
import io.spilo.config.PrivateFiles;
import io.spilo.config.TlsSettings;
import io.spilo.process.ProcessResult;
import io.spilo.process.ProcessRunner;
import io.spilo.tls.CertificateAuthority;
import io.spilo.tls.PemFiles;
import io.spilo.tls.RestClients;
import io.spilo.tls.TlsContexts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: a cluster with TLS on every link. The REST APIs speak HTTPS with
 * {@code verify_client: required} and Basic credentials for actions: members probe and fail over
 * through each other's APIs with their own certificates, operator commands and HAProxy's checks use
 * the {@code ctl} certificate. etcd speaks only TLS, requires a client certificate
 * ({@code --client-cert-auth}) and has role-based authentication on, with an agents' user that may
 * touch the cluster's prefix only; every way of getting those settings wrong is refused with one
 * line that names the file or the user. PostgreSQL runs with {@code ssl = on}: replicas stream and
 * pg_rewind connects with {@code sslmode=verify-full}, pg_hba.conf takes TLS connections only, and a
 * member with a CA file that did not sign the primary's certificate cannot clone (said in its log
 * and {@code /patroni}).
 */
class TlsClusterIT {
    private static final Duration CONVERGE = Duration.ofSeconds(90);
    private static final String ETCD_PASSWORD = "it-etcd-secret";
    private static final String REST_PASSWORD = "tls-admin-secret";

    private record Run(int exit, String out, String err) {
    }

    private static Run spilo(String... arguments) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), arguments);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void aClusterWithTlsOnEveryLinkRunsAndEveryWrongCredentialIsNamed() throws Exception {
        try (TestDirectory certificates = new TestDirectory("spilo-it-tls-files-")) {
            CertificateAuthority ca = CertificateAuthority.create("Spilo IT CA");
            Path caFile = ca.writeCertificate(certificates.resolve("ca.crt"));
            CertificateAuthority.Issued etcdFiles = ca.issue("etcd", List.of("127.0.0.1", "localhost"), certificates.path(), "etcd");
            for (String name : List.of("node1", "node2", "node3", "operator")) {
                ca.issue(name, List.of("127.0.0.1", "localhost"), certificates.path(), name);
            }
            // Patroni's etcd3 client goes through etcd's HTTP gateway, which refuses certificates with a CN.
            ca.issue("", List.of("127.0.0.1"), certificates.path(), "gateway-client");
            CertificateAuthority stranger = CertificateAuthority.create("Another CA");
            Path strangerCa = stranger.writeCertificate(certificates.resolve("stranger-ca.crt"));
            stranger.issue("intruder", List.of("127.0.0.1"), certificates.path(), "intruder");
            // PostgreSQL (user postgres) reads its node's key, which must be its own and 0600, through the directory.
            for (String name : List.of("node1", "node2", "node3")) {
                Files.setOwner(certificates.resolve(name + ".key"), certificates.path().getFileSystem()
                        .getUserPrincipalLookupService().lookupPrincipalByName("postgres"));
            }
            Files.setPosixFilePermissions(certificates.path(), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Path operatorCertificate = certificates.resolve("operator.crt");
            Path operatorKey = certificates.resolve("operator.key");

            try (TestCluster cluster = new TestCluster("tlscluster", 3, "", name -> restSection(certificates.path(), caFile, name)
                    + "ctl:\n  certfile: " + operatorCertificate + "\n  keyfile: " + operatorKey + "\n  cacert: " + caFile + "\n"
                    + etcdSection(certificates.path(), caFile, name, "spilo", ETCD_PASSWORD)
                    + postgresSection(certificates.path(), caFile, name),
                    directory -> Optional.of(new EtcdServer.Tls(etcdFiles.certificate(), etcdFiles.privateKey(), caFile)))) {
                cluster.etcd.enableAuthentication("spilo", ETCD_PASSWORD, "/service/");
                TlsSettings asOperator = new TlsSettings(Optional.of(operatorCertificate), Optional.of(operatorKey),
                        Optional.empty(), Optional.of(caFile), false);
                cluster.nodes.forEach(node -> node.callOverTls(asOperator));
                AgentNode node1 = cluster.startWithNode1Leading(CONVERGE);
                String config = node1.configFile.toString();
                // HAProxy's checks speak HTTPS with the ctl certificate: it routes to the primary only if they pass.
                TestCluster.Proxy proxy = cluster.startHaproxy(CONVERGE);
                HaproxyStats stats = new HaproxyStats(proxy.socket());
                assertThat(stats.upServers("primary")).containsExactly("node1");

                String api = "127.0.0.1:" + node1.apiPort + "/patroni";
                assertThat(refused(HttpClient.newHttpClient(), "http://" + api)).as("plain HTTP").isTrue();
                assertThat(refused(RestClients.create(new TlsSettings(Optional.empty(), Optional.empty(), Optional.empty(),
                        Optional.of(caFile), false), Duration.ofSeconds(2)), "https://" + api))
                        .as("HTTPS without a client certificate").isTrue();
                assertThat(refused(RestClients.create(new TlsSettings(Optional.of(certificates.resolve("intruder.crt")),
                        Optional.of(certificates.resolve("intruder.key")), Optional.empty(), Optional.of(caFile), false),
                        Duration.ofSeconds(2)), "https://" + api)).as("HTTPS with a certificate of another CA").isTrue();

                // Both replicas stream over TLS (verify-full against the CA), and nothing connects to PostgreSQL without it.
                try (Connection connection = node1.connect(); Statement statement = connection.createStatement();
                        ResultSet row = statement.executeQuery("SELECT count(*) FROM pg_stat_replication r"
                                + " JOIN pg_stat_ssl s ON s.pid = r.pid WHERE s.ssl")) {
                    assertThat(row.next() && row.getInt(1) == 2).as("replication connections over TLS").isTrue();
                }
                Properties plainText = new Properties();
                plainText.setProperty("user", "postgres");
                plainText.setProperty("password", AgentNode.SUPERUSER_PASSWORD);
                plainText.setProperty("sslmode", "disable");
                assertThatThrownBy(() -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + node1.postgresPort + "/postgres",
                        plainText).close()).as("a connection without TLS").hasMessageContaining("no encryption");

                Run list = spilo("list", "-c", config);
                assertThat(list.exit()).as("spilo list: %s", list.err()).isZero();
                assertThat(list.out()).containsPattern("\\| node1 .*\\| Leader .*\\| armed ").contains("streaming");

                String etcdHosts = cluster.etcd.hostPort();
                assertRefused(cluster, "wrong-password", etcdHosts, etcdSection(certificates.path(), caFile, "operator", "spilo",
                        "not-the-password"), "etcd3.username 'spilo'", "password");
                assertRefused(cluster, "no-client-certificate", etcdHosts, "etcd3:\n  protocol: https\n  cacert: " + caFile
                        + "\n  username: spilo\n  password: " + ETCD_PASSWORD + "\n", "etcd3.cert");
                assertRefused(cluster, "foreign-client-certificate", etcdHosts, etcdSection(certificates.path(), caFile, "intruder",
                        "spilo", ETCD_PASSWORD), "etcd3.cert");
                assertRefused(cluster, "wrong-ca", etcdHosts, etcdSection(certificates.path(), strangerCa, "operator", "spilo",
                        ETCD_PASSWORD), "etcd3.cacert " + strangerCa);
                // Plain text to a TLS port looks like an unreachable etcd (the connection just closes): the
                // command shows node1's last view, and its warning says what to try.
                Run plain = spilo("list", "-c", operatorFile(cluster, "plain-http", etcdHosts, "etcd3:\n  protocol: http\n").toString());
                assertThat(plain.err()).contains("cannot reach etcd").contains("set etcd3.protocol: https");
                assertThat(plain.out()).containsPattern("\\| node1 .*\\| Leader ");

                // Patroni's own operator tool with node1's file (only its etcd client certificate differs, see
                // above): it reads etcd over TLS as the agents' user and calls the leader's REST API with the
                // ctl certificate and the Basic credentials.
                String patroniConfig = operatorFile(cluster, "patronictl", cluster.etcd.hostPort(), etcdSection(certificates.path(),
                        caFile, "gateway-client", "spilo", ETCD_PASSWORD)).toString();
                ProcessResult patroniList = patronictl(patroniConfig, "list");
                assertThat(patroniList.succeeded()).as("patronictl list: %s", patroniList.output()).isTrue();
                assertThat(patroniList.output()).containsPattern("\\| node1 .*\\| Leader .*\\| running ")
                        .containsPattern("\\| node2 .*\\| Replica .*\\| (streaming|running) ");
                ProcessResult patroniSwitchover = patronictl(patroniConfig, "switchover", "--leader", "node1", "--candidate", "node3", "--force");
                assertThat(patroniSwitchover.succeeded()).as("patronictl switchover: %s", patroniSwitchover.output()).isTrue();
                AgentNode node3 = cluster.node("node3").orElseThrow();
                await("node3 primary after patronictl switchover").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                        .until(() -> node3.status("/primary") == 200);
                cluster.awaitHealthy(CONVERGE);

                Run editConfig = spilo("edit-config", "-c", config, "-p", "work_mem=12MB", "--force");
                assertThat(editConfig.exit()).as("spilo edit-config: %s %s", editConfig.out(), editConfig.err()).isZero();
                await("node1 reads the edited configuration").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                        .until(() -> node1.json("/config").at("/postgresql/parameters/work_mem").asText().equals("12MB"));
                assertThat(node1.call("POST", "/restart", "{}")).as("an action with a valid certificate but no credentials")
                        .startsWith("401 ");

                Run switchover = spilo("switchover", "-c", config, "--candidate", "node2", "--force");
                assertThat(switchover.exit()).as("spilo switchover: %s %s", switchover.out(), switchover.err()).isZero();
                AgentNode node2 = cluster.node("node2").orElseThrow();
                await("node2 primary").atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).until(() -> node2.status("/primary") == 200);
                cluster.awaitHealthy(CONVERGE);

                long killedAt = System.nanoTime();
                node2.killAgentAndPostgres();
                await("a new primary after node2 was killed").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                        .until(() -> cluster.primaries().stream().anyMatch(node -> node != node2));
                System.out.printf("MEASURE tls cluster: failover took %.1f s%n", (System.nanoTime() - killedAt) / 1e9);
                AgentNode successor = cluster.primaries().get(0);
                await("HAProxy routes to the new primary").atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                        .until(() -> stats.upServers("primary").equals(List.of(successor.name)));
                node2.startAgent();
                cluster.awaitHealthy(CONVERGE);

                // A member that does not trust the primary's certificate cannot clone from it: said in its log and /patroni.
                node3.close();
                deleteRecursively(node3.dataDirectory);
                ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
                ObjectNode node3Config = (ObjectNode) yaml.readTree(node3.configFile.toFile());
                ((ObjectNode) node3Config.at("/postgresql/authentication/replication")).put("sslrootcert", strangerCa.toString());
                PrivateFiles.write(node3.configFile, yaml.writeValueAsString(node3Config));
                node3.startAgent();
                await("node3 reports the refused clone").atMost(CONVERGE).pollInterval(Duration.ofMillis(500))
                        .until(() -> node3.json("/patroni").path("last_error").asText().contains("certificate verify failed"));
                assertThat(node3.status("/replica")).isNotEqualTo(200);
                assertThat(Files.readString(cluster.directory.resolve("node3.agent." + 2 + ".log"))).contains("certificate verify failed");

                // Rotation: node1's REST certificate and key are replaced; the next connection gets the new one, no restart.
                BigInteger before = presentedSerial(node1, asOperator);
                CertificateAuthority.Issued renewed = ca.issue("node1", List.of("127.0.0.1", "localhost"), certificates.path(), "node1");
                Files.setOwner(renewed.privateKey(), certificates.path().getFileSystem().getUserPrincipalLookupService()
                        .lookupPrincipalByName("postgres"));
                BigInteger issued = PemFiles.certificates(renewed.certificate()).get(0).getSerialNumber();
                assertThat(issued).isNotEqualTo(before);
                assertThat(presentedSerial(node1, asOperator)).as("the certificate node1 presents after rotation").isEqualTo(issued);

                assertNoSecretLeaks(cluster, certificates, config, List.of(REST_PASSWORD, ETCD_PASSWORD, AgentNode.SUPERUSER_PASSWORD,
                        AgentNode.REPLICATION_PASSWORD));

                // HAProxy's checks present the ctl certificate: replaced by one of another CA, the members refuse
                // the checks and HAProxy marks them down; replaced by a good one again, the primary is back.
                // Both show that spilo haproxy hands a renewed certificate to HAProxy without a restart.
                stranger.issue("operator", List.of("127.0.0.1"), certificates.path(), "operator");
                await("HAProxy's checks refused with a certificate of another CA").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                        .ignoreExceptions().until(() -> stats.upServers("primary").isEmpty());
                ca.issue("operator", List.of("127.0.0.1"), certificates.path(), "operator");
                await("HAProxy's checks pass with a good certificate again").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                        .ignoreExceptions().until(() -> stats.upServers("primary").size() == 1);

            }
        }
    }

    /**
     * Every password and private key of the cluster, looked for in every process's arguments, every
     * log and every file others may read (of the cluster and of its certificates), every value in
     * etcd, every REST response (status, health, config, errors) and the operator commands' output.
     */
    private static void assertNoSecretLeaks(TestCluster cluster, TestDirectory certificates, String config, List<String> passwords)
            throws Exception {
        SecretsScan scan = new SecretsScan();
        for (int i = 0; i < passwords.size(); i++) {
            scan.password("password " + (i + 1), passwords.get(i));
        }
        for (Path key : Files.list(certificates.path()).filter(file -> file.toString().endsWith(".key")).toList()) {
            scan.privateKey(key);
        }
        int processes = scan.processes();
        int files = scan.files(cluster.directory.path()) + scan.files(certificates.path());
        String etcd = cluster.etcd.everything();
        assertThat(etcd).as("etcd's keys were read").contains("/service/" + cluster.scope + "/leader");
        scan.text("etcd", etcd);
        List<String> reads = List.of("/patroni", "/cluster", "/config", "/history", "/metrics", "/health", "/leader", "/primary",
                "/replica", "/read-only", "/liveness", "/readiness", "/no-such-path");
        for (AgentNode node : cluster.nodes) {
            for (String path : reads) {
                scan.text("GET " + path + " of " + node.name, node.call("GET", path, ""));
            }
            scan.text("POST /restart without credentials to " + node.name, node.call("POST", "/restart", "{}"));
            scan.text("PATCH /config malformed to " + node.name, node.call("PATCH", "/config", "{not json"));
        }
        for (String command : List.of("list", "show-config", "history", "topology", "version", "dsn")) {
            Run run = spilo(command, "-c", config);
            scan.text("spilo " + command, run.out() + run.err());
        }
        System.out.printf("MEASURE tls cluster secrets scan: %d secrets in %d processes, %d logs and readable files, etcd,"
                + " %d REST responses, 6 commands: %d hits%n", scan.secretCount(), processes, files, cluster.nodes.size() * (reads.size() + 2),
                scan.hits().size());
        assertThat(files).as("logs of the agents, PostgreSQL, etcd and HAProxy").isGreaterThanOrEqualTo(7);
        assertThat(scan.hits()).as("secrets where they must never be").isEmpty();
    }

    /** The serial number of the certificate a member's REST API presents to a new connection. */
    private static BigInteger presentedSerial(AgentNode node, TlsSettings client) throws Exception {
        try (SSLSocket socket = (SSLSocket) TlsContexts.client(client).getSocketFactory().createSocket("127.0.0.1", node.apiPort)) {
            socket.setSoTimeout(3000);
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    /** Debian's patronictl (3.0.2, installed by bin/setup), run with a Spilo agent's configuration file. */
    private static ProcessResult patronictl(String configFile, String... arguments) {
        List<String> command = new java.util.ArrayList<>(List.of("patronictl", "-c", configFile));
        command.addAll(List.of(arguments));
        return ProcessRunner.asCurrentUser().run(command, java.util.Map.of(), Duration.ofSeconds(60));
    }

    private static String postgresSection(Path files, Path ca, String name) {
        String verified = "sslmode: verify-full, sslrootcert: " + ca;
        return "postgresql:\n  parameters: {ssl: 'on', ssl_cert_file: " + files.resolve(name + ".crt") + ", ssl_key_file: "
                + files.resolve(name + ".key") + "}\n  authentication:\n    superuser: {" + verified + "}\n    replication: {"
                + verified + "}\n";
    }

    private static void deleteRecursively(Path directory) throws java.io.IOException {
        try (java.util.stream.Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static String restSection(Path files, Path ca, String name) {
        return "restapi:\n  certfile: " + files.resolve(name + ".crt") + "\n  keyfile: " + files.resolve(name + ".key")
                + "\n  cafile: " + ca + "\n  verify_client: required\n  authentication: {username: admin, password: "
                + REST_PASSWORD + "}\n";
    }

    /** Whether the call fails: no answer at all (the handshake or the protocol refused it). */
    private static boolean refused(HttpClient client, String url) throws InterruptedException {
        try {
            client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.discarding());
            return false;
        } catch (java.io.IOException e) {
            return true;
        }
    }

    private static String etcdSection(Path files, Path ca, String certificateName, String user, String password) {
        return "etcd3:\n  protocol: https\n  cacert: " + ca + "\n  cert: " + files.resolve(certificateName + ".crt")
                + "\n  key: " + files.resolve(certificateName + ".key") + "\n  username: " + user + "\n  password: " + password + "\n";
    }

    /** {@code spilo list} with {@code etcd3} settings that etcd must refuse: a one-line error naming what to fix. */
    private static void assertRefused(TestCluster cluster, String label, String etcdHosts, String etcdYaml, String... named)
            throws Exception {
        long started = System.nanoTime();
        Run run = spilo("list", "-c", operatorFile(cluster, label, etcdHosts, etcdYaml).toString());
        double seconds = (System.nanoTime() - started) / 1e9;
        assertThat(run.exit()).as("%s: %s", label, run.out()).isNotZero();
        String error = run.err().strip();
        assertThat(error.lines().count()).as("%s: one line, got: %s", label, error).isEqualTo(1);
        for (String text : named) {
            assertThat(error).as(label).contains(text);
        }
        assertThat(error).as(label).doesNotContain(ETCD_PASSWORD).doesNotContain("not-the-password");
        System.out.printf("MEASURE tls etcd refusal %s after %.1f s: %s%n", label, seconds, error);
    }

    /**
     * node1's file with another etcd3 section: what an operator on node1 would run. node1's REST API
     * is up, so a refusal must be shown as such, not papered over with node1's last view of etcd.
     */
    private static Path operatorFile(TestCluster cluster, String label, String etcdHosts, String etcdYaml) throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        ObjectNode config = (ObjectNode) yaml.readTree(cluster.nodes.get(0).configFile.toFile());
        ObjectNode etcd = (ObjectNode) yaml.readTree(etcdYaml).get("etcd3");
        etcd.put("hosts", etcdHosts);
        config.set("etcd3", etcd);
        Path file = cluster.directory.resolve("operator-" + label + ".yml");
        PrivateFiles.write(file, yaml.writeValueAsString(config));
        return file;
    }
}
