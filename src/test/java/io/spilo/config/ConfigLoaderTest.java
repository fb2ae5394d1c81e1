package io.spilo.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    private static final String MINIMAL = MinimalConfig.YAML;

    private static String patroniFixture() throws IOException {
        try (InputStream input = ConfigLoaderTest.class.getResourceAsStream("/patroni_node1.yml")) {
            return new String(input.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aPatroniEtcd3FileIsAValidSpiloConfiguration() throws IOException {
        SpiloConfig config = ConfigLoader.parse(patroniFixture(), "patroni_node1.yml", Map.of());

        assertThat(config.scope()).isEqualTo("anchor");
        assertThat(config.namespace()).isEqualTo("/service/");
        assertThat(config.clusterPrefix()).isEqualTo("/service/anchor/");
        assertThat(config.name()).isEqualTo("node1");
        assertThat(config.restApi().listen()).isEqualTo(new HostPort("127.0.0.1", 18008));
        assertThat(config.restApi().apiUrl()).isEqualTo("http://127.0.0.1:18008/patroni");
        assertThat(config.etcd().endpoints()).containsExactly("http://127.0.0.1:12379");
        assertThat(config.postgres().dataDirectory()).isEqualTo(Path.of("/srv/demo/data/node1"));
        assertThat(config.postgres().superuser().username()).isEqualTo("postgres");
        assertThat(config.postgres().replication().password()).isEqualTo("anchor-repl");
        assertThat(config.postgres().parameters()).containsEntry("unix_socket_directories", "/srv/demo/sock");
        assertThat(config.postgres().pgHba()).hasSize(3).first().isEqualTo("local all all trust");
        assertThat(config.bootstrap().dcs().path("ttl").asInt()).isEqualTo(30);
        assertThat(config.bootstrap().initdbOptions()).containsExactly("encoding=UTF8", "locale=C.UTF-8", "data-checksums");
        assertThat(config.tags().noFailover()).isFalse();
        assertThat(config.unsupportedKeys()).isEmpty();
    }

    @Test
    void aMissingRequiredKeyNamesItsPath() {
        String withoutDataDirectory = MINIMAL.replace("  data_dir: /srv/data\n", "");

        assertThatThrownBy(() -> ConfigLoader.parse(withoutDataDirectory, "x.yml", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("postgresql.data_dir: missing");
    }

    @Test
    void malformedYamlNamesTheFileAndLine() {
        assertThatThrownBy(() -> ConfigLoader.parse("scope: a\nname: [unclosed\n", "bad.yml", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("bad.yml: line ")
                .hasMessageContaining("not valid YAML");
    }

    @Test
    void aBadPortIsRejectedWithTheKeyPath() {
        String badPort = MINIMAL.replace("listen: 127.0.0.1:8008", "listen: 127.0.0.1:http");

        assertThatThrownBy(() -> ConfigLoader.parse(badPort, "x.yml", Map.of()))
                .hasMessage("restapi.listen: '127.0.0.1:http' has no numeric port");
    }

    @Test
    void theEtcdV2StoreIsRefusedWithAHint() {
        String etcd2 = MINIMAL.replace("etcd3:", "etcd:");

        assertThatThrownBy(() -> ConfigLoader.parse(etcd2, "x.yml", Map.of()))
                .hasMessageContaining("rename the section to etcd3");
    }

    @Test
    void environmentOverridesTheFileAndSpiloWinsOverPatroni() {
        SpiloConfig config = ConfigLoader.parse(MINIMAL, "x.yml", Map.of(
                "PATRONI_NAME", "from-patroni",
                "SPILO_NAME", "from-spilo",
                "PATRONI_ETCD3_HOSTS", "10.0.0.1:2379,10.0.0.2:2379",
                "PATRONI_SUPERUSER_PASSWORD", "other"));

        assertThat(config.name()).isEqualTo("from-spilo");
        assertThat(config.etcd().endpoints()).containsExactly("http://10.0.0.1:2379", "http://10.0.0.2:2379");
        assertThat(config.postgres().superuser().password()).isEqualTo("other");
    }

    @Test
    void unsupportedKeysAreListedNotIgnoredSilently() {
        String extra = MINIMAL + "kubernetes:\n  namespace: x\npostgresql_extra: 1\n";

        SpiloConfig config = ConfigLoader.parse(extra, "x.yml", Map.of());

        assertThat(config.unsupportedKeys()).containsExactly("kubernetes", "postgresql_extra");
    }

    @Test
    void passwordsNeverAppearInToString() {
        SpiloConfig config = ConfigLoader.parse(MINIMAL, "x.yml", Map.of());

        assertThat(config.toString()).doesNotContain("secret").doesNotContain("repl}");
        assertThat(config.postgres().superuser().toString()).contains("***");
    }

    @Test
    void defaultsFollowTheListenAddress() {
        SpiloConfig config = ConfigLoader.parse(MINIMAL.replace("127.0.0.1:5432", "0.0.0.0:5433"), "x.yml", Map.of());

        assertThat(config.postgres().connectAddress()).isEqualTo(new HostPort("127.0.0.1", 5433));
        assertThat(config.postgres().binDirectory()).isEqualTo(Path.of("/usr/lib/postgresql/15/bin"));
        assertThat(config.postgres().passfile()).isEqualTo(Path.of("/srv/data.pgpass"));
        assertThat(config.postgres().serverLogFile()).isEqualTo(Path.of("/srv/data.log"));
    }
}
