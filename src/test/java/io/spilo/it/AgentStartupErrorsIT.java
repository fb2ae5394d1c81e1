package io.spilo.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.spilo.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each way the agent can fail at start gives one clear line and a non-zero exit, before touching any data. */
class AgentStartupErrorsIT {
    private final TestDirectory directory = new TestDirectory("spilo-it-errors-");

    @AfterEach
    void cleanUp() {
        directory.close();
    }

    private record Outcome(int exitCode, String stderr) {
    }

    private Outcome runAgent(String yaml) throws Exception {
        Path file = directory.resolve("agent.yml");
        Files.writeString(file, yaml);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "agent", "-c", file.toString());
        return new Outcome(exit, err.toString());
    }

    private String config(int apiPort, String etcd, String binDirectory, String extra) {
        return """
                scope: errors
                name: node1
                restapi:
                  listen: 127.0.0.1:%d
                etcd3:
                  hosts: %s
                bootstrap:
                  dcs: {ttl: 10, loop_wait: 2, retry_timeout: 1}
                postgresql:
                  listen: 127.0.0.1:%d
                  data_dir: %s
                  bin_dir: %s
                  authentication:
                    superuser: {username: postgres, password: s}
                    replication: {username: replicator, password: r}
                %s""".formatted(apiPort, etcd, FreePorts.next(), directory.resolve("data"), binDirectory, extra);
    }

    @Test
    void aConfigurationErrorExitsWith2AndNamesTheKey() throws Exception {
        Outcome outcome = runAgent(config(FreePorts.next(), "127.0.0.1:1", "/usr/lib/postgresql/15/bin", "")
                .replace("  data_dir: " + directory.resolve("data") + "\n", ""));

        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.stderr().strip()).isEqualTo("spilo: configuration error: postgresql.data_dir: missing");
        assertThat(Files.exists(directory.resolve("data"))).isFalse();
    }

    @Test
    void aTimingRuleViolationIsAConfigurationError() throws Exception {
        Outcome outcome = runAgent(config(FreePorts.next(), "127.0.0.1:1", "/usr/lib/postgresql/15/bin", "")
                .replace("retry_timeout: 1", "retry_timeout: 5"));

        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.stderr()).contains("bootstrap.dcs.ttl: loop_wait + 2 * retry_timeout must not exceed ttl");
    }

    @Test
    void aMissingPostgresBinaryIsNamedWithTheFix() throws Exception {
        Outcome outcome = runAgent(config(FreePorts.next(), "127.0.0.1:1", "/nonexistent/bin", ""));

        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.stderr()).contains("PostgreSQL program not found: /nonexistent/bin/postgres")
                .contains("set postgresql.bin_dir");
    }

    @Test
    void anUnreachableEtcdIsReportedWithItsAddress() throws Exception {
        int nobodyListens = FreePorts.next();

        Outcome outcome = runAgent(config(FreePorts.next(), "127.0.0.1:" + nobodyListens, "/usr/lib/postgresql/15/bin", ""));

        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.stderr()).contains("cannot reach etcd: etcd at http://127.0.0.1:" + nobodyListens)
                .contains("start etcd or correct etcd3.hosts");
        assertThat(outcome.stderr()).doesNotContain("\tat ");
    }

    @Test
    void aRestPortAlreadyInUseIsReported() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Outcome outcome = runAgent(config(taken.getLocalPort(), "127.0.0.1:1", "/usr/lib/postgresql/15/bin", ""));

            assertThat(outcome.exitCode()).isEqualTo(1);
            assertThat(outcome.stderr()).contains("restapi.listen 127.0.0.1:" + taken.getLocalPort())
                    .contains("choose another restapi.listen port");
        }
    }
}
