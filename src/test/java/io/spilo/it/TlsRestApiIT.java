package io.spilo.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.spilo.cli.Main;
import io.spilo.config.TlsSettings;
import io.spilo.tls.CertificateAuthority;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, the REST API part: three agents whose REST APIs speak HTTPS with
 * {@code verify_client: required} and Basic credentials for actions. The members elect, probe and
 * fail over through each other's HTTPS APIs with their own certificates; the operator commands use
 * the {@code ctl} section's certificate; a call without a certificate, or over plain HTTP, gets nothing.
 */
class TlsRestApiIT {
    private static final Duration CONVERGE = Duration.ofSeconds(90);

    private record Run(int exit, String out, String err) {
    }

    private static Run spilo(String... arguments) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), arguments);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void aClusterWithCertificateOnlyRestApisElectsSwitchesOverAndFailsOver() throws Exception {
        try (TestDirectory certificates = new TestDirectory("spilo-it-tls-certs-")) {
            CertificateAuthority ca = CertificateAuthority.create("Spilo IT CA");
            Path caFile = ca.writeCertificate(certificates.resolve("ca.crt"));
            CertificateAuthority.Issued operator = ca.issue("operator", List.of("127.0.0.1"), certificates.path(), "operator");
            for (String name : List.of("node1", "node2", "node3")) {
                ca.issue(name, List.of("127.0.0.1", "localhost"), certificates.path(), name);
            }
            String ctl = "ctl:\n  certfile: " + operator.certificate() + "\n  keyfile: " + operator.privateKey() + "\n  cacert: " + caFile + "\n";
            try (TestCluster cluster = new TestCluster("tlsrest", 3, "", name -> "restapi:\n"
                    + "  certfile: " + certificates.resolve(name + ".crt") + "\n"
                    + "  keyfile: " + certificates.resolve(name + ".key") + "\n"
                    + "  cafile: " + caFile + "\n"
                    + "  verify_client: required\n"
                    + "  authentication: {username: admin, password: tls-admin-secret}\n" + ctl)) {
                TlsSettings asOperator = new TlsSettings(Optional.of(operator.certificate()), Optional.of(operator.privateKey()),
                        Optional.empty(), Optional.of(caFile), false);
                cluster.nodes.forEach(node -> node.callOverTls(asOperator));
                AgentNode node1 = cluster.startWithNode1Leading(CONVERGE);
                String config = node1.configFile.toString();
                // HAProxy's checks speak HTTPS with the ctl certificate: it routes to the primary only if they pass.
                TestCluster.Proxy proxy = cluster.startHaproxy(CONVERGE);
                HaproxyStats stats = new HaproxyStats(proxy.socket());
                assertThat(stats.upServers("primary")).containsExactly("node1");

                assertThat(refused(HttpClient.newHttpClient(), "http://127.0.0.1:" + node1.apiPort + "/patroni")).as("plain HTTP").isTrue();
                assertThat(refused(io.spilo.tls.RestClients.create(new TlsSettings(Optional.empty(), Optional.empty(), Optional.empty(),
                        Optional.of(caFile), false), Duration.ofSeconds(2)), "https://127.0.0.1:" + node1.apiPort + "/patroni"))
                        .as("HTTPS without a client certificate").isTrue();

                Run list = spilo("list", "-c", config);
                assertThat(list.exit()).as("spilo list: %s", list.err()).isZero();
                assertThat(list.out()).containsPattern("\\| node1 .*\\| Leader .*\\| armed ").contains("streaming");

                Run switchover = spilo("switchover", "-c", config, "--candidate", "node2", "--force");
                assertThat(switchover.exit()).as("spilo switchover: %s %s", switchover.out(), switchover.err()).isZero();
                AgentNode node2 = cluster.node("node2").orElseThrow();
                await("node2 primary").atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).until(() -> node2.status("/primary") == 200);
                cluster.awaitHealthy(CONVERGE);

                long killedAt = System.nanoTime();
                node2.killAgentAndPostgres();
                await("a new primary after node2 was killed").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                        .until(() -> cluster.primaries().stream().anyMatch(node -> node != node2));
                System.out.printf("MEASURE tls rest: failover over HTTPS probes took %.1f s%n", (System.nanoTime() - killedAt) / 1e9);
                AgentNode successor = cluster.primaries().get(0);
                await("HAProxy routes to the new primary").atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                        .until(() -> stats.upServers("primary").equals(List.of(successor.name)));
                node2.startAgent();
                cluster.awaitHealthy(CONVERGE);

                for (AgentNode node : cluster.nodes) {
                    for (Path log : Files.list(cluster.directory.path()).filter(file -> file.getFileName().toString()
                            .startsWith(node.name + ".agent.")).toList()) {
                        assertThat(Files.readString(log)).as("%s", log).doesNotContain("tls-admin-secret").doesNotContain("PRIVATE KEY");
                    }
                }
            }
        }
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
}
