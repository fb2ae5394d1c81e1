package io.spilo.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** postgresql.conf as Spilo renders it: one line per parameter, whatever the values hold. */
class ConfigFilesTest {
    @Test
    void quotesAndBackslashesStayInsideTheirValue() {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("application_name", "it's a \\ test");

        String text = ConfigFiles.renderPostgresqlConf("node1", parameters);

        assertThat(text).contains("application_name = 'it''s a \\\\ test'\n");
    }

    @Test
    void aValueWithALineBreakIsNeverWritten() {
        Map<String, String> parameters = Map.of("work_mem", "8MB'\nshared_preload_libraries = 'evil");

        assertThatThrownBy(() -> ConfigFiles.renderPostgresqlConf("node1", parameters))
                .isInstanceOf(PostgresException.class).hasMessageContaining("work_mem").hasMessageContaining("control character");
    }

    private static ConfigFiles files(String authentication, String parameters) {
        io.spilo.config.PostgresConfig config = io.spilo.config.ConfigLoader.parse("""
                scope: demo
                name: node2
                restapi: {listen: 127.0.0.1:8008}
                etcd3: {hosts: 127.0.0.1:2379}
                postgresql:
                  listen: 10.0.0.2:5432
                  data_dir: /srv/data
                  pgpass: /srv/pgpass
                  authentication:
                """ + authentication + parameters, "t.yml", Map.of()).postgres();
        io.spilo.process.ProcessRunner runner = io.spilo.process.ProcessRunner.asCurrentUser();
        return new ConfigFiles(config, "node2", new DataDirectory(config, runner), new ControlData(config, runner));
    }

    private static final String PLAIN_ROLES = """
                superuser: {username: postgres, password: secret}
                replication: {username: replicator, password: repl}
            """;

    @Test
    void replicationConnectsWithTheRolesTlsKeysAndPgHbaAsksForTlsWhenSslIsOn() {
        ConfigFiles files = files("""
                superuser: {username: postgres, password: secret, sslmode: verify-full, sslrootcert: /etc/spilo/ca.crt}
                replication: {username: replicator, password: repl, sslmode: verify-full, sslrootcert: /etc/spilo/ca.crt}
            """, """
              parameters: {ssl: 'on', ssl_cert_file: /etc/spilo/node2.crt, ssl_key_file: /etc/spilo/node2.key}
            """);

        String conninfo = files.primaryConninfo(new Upstream("10.0.0.1", 5432, "node2"));
        assertThat(conninfo).contains("host=10.0.0.1 port=5432 user=replicator passfile=/srv/pgpass")
                .contains("sslmode=verify-full sslrootcert=/etc/spilo/ca.crt").doesNotContain("sslmode=prefer").doesNotContain("repl ");
        java.util.List<String> hba = files.pgHbaLines(files.parameters(Map.of()));
        assertThat(hba).contains("hostssl replication replicator 0.0.0.0/0 scram-sha-256", "hostssl all all 0.0.0.0/0 scram-sha-256")
                .noneMatch(line -> line.startsWith("host "));
    }

    @Test
    void withoutTlsSettingsReplicationPrefersTlsAndPgHbaAcceptsBoth() {
        ConfigFiles files = files(PLAIN_ROLES, "");

        assertThat(files.primaryConninfo(new Upstream("10.0.0.1", 5432, "node2"))).contains("sslmode=prefer");
        assertThat(files.pgHbaLines(files.parameters(Map.of()))).contains("host all all 0.0.0.0/0 scram-sha-256");
    }

    @Test
    void sslTurnedOnInTheClusterConfigurationAlsoMakesPgHbaAskForTls() {
        ConfigFiles files = files(PLAIN_ROLES, "");

        assertThat(files.pgHbaLines(files.parameters(Map.of("ssl", "on")))).contains("hostssl all all 0.0.0.0/0 scram-sha-256");
    }

    @Test
    void verifyModesWithoutACaFileAndUnknownModesAreConfigurationErrors() {
        assertThatThrownBy(() -> files("""
                superuser: {username: postgres, password: secret}
                replication: {username: replicator, password: repl, sslmode: verify-full}
            """, "")).isInstanceOf(io.spilo.config.ConfigException.class)
                .hasMessageContaining("postgresql.authentication.replication.sslrootcert");
        assertThatThrownBy(() -> files("""
                superuser: {username: postgres, password: secret, sslmode: always}
                replication: {username: replicator, password: repl}
            """, "")).isInstanceOf(io.spilo.config.ConfigException.class)
                .hasMessageContaining("postgresql.authentication.superuser.sslmode");
    }
}
