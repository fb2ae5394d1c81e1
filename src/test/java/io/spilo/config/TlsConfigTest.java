package io.spilo.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Issue 14: Patroni's TLS keys of restapi and ctl, read into Spilo's settings. */
class TlsConfigTest {
    private static String file(String restapiExtra, String ctl) {
        return MinimalConfig.withLines("restapi", restapiExtra) + ctl;
    }

    @Test
    void patronisRestapiTlsKeysMakeTheApiHttpsAndTheClientsFallBackToThem() {
        SpiloConfig config = ConfigLoader.parse(file("""
                  certfile: /etc/spilo/node1.crt
                  keyfile: /etc/spilo/node1.key
                  keyfile_password: hush
                  cafile: /etc/spilo/ca.crt
                  verify_client: required
                  allowlist: [10.0.0.0/24, 127.0.0.1]
                  allowlist_include_members: true
                """, ""), "t.yml", Map.of());

        RestApiConfig rest = config.restApi();
        assertThat(rest.apiUrl()).isEqualTo("https://127.0.0.1:8008/patroni");
        assertThat(rest.verifyClient()).isEqualTo(VerifyClient.REQUIRED);
        assertThat(rest.allowlist()).containsExactly("10.0.0.0/24", "127.0.0.1");
        assertThat(rest.allowlistIncludeMembers()).isTrue();
        assertThat(config.restClient()).isEqualTo(new TlsSettings(Optional.of(Path.of("/etc/spilo/node1.crt")),
                Optional.of(Path.of("/etc/spilo/node1.key")), Optional.of("hush"), Optional.of(Path.of("/etc/spilo/ca.crt")), false));
        assertThat(config.restClient().toString()).doesNotContain("hush");
        assertThat(config.unsupportedKeys()).isEmpty();
    }

    @Test
    void theCtlSectionWinsForCallsToMembers() {
        SpiloConfig config = ConfigLoader.parse(file("""
                  certfile: /etc/spilo/node1.crt
                  cafile: /etc/spilo/ca.crt
                """, """
                ctl:
                  certfile: /home/op/op.crt
                  keyfile: /home/op/op.key
                  cacert: /home/op/ca.crt
                  insecure: false
                """), "t.yml", Map.of());

        assertThat(config.restClient().certificate()).contains(Path.of("/home/op/op.crt"));
        assertThat(config.restClient().keyFile()).contains(Path.of("/home/op/op.key"));
        assertThat(config.restClient().caCertificate()).contains(Path.of("/home/op/ca.crt"));
        assertThat(config.restApi().tls().keyFile()).as("a key inside the certificate file").contains(Path.of("/etc/spilo/node1.crt"));
    }

    @Test
    void environmentVariablesSetTheTlsKeysAsInPatroni() {
        SpiloConfig config = ConfigLoader.parse(file("", ""), "t.yml", Map.of("PATRONI_RESTAPI_CERTFILE", "/c.crt",
                "PATRONI_RESTAPI_CAFILE", "/ca.crt", "PATRONI_RESTAPI_VERIFY_CLIENT", "optional", "PATRONI_CTL_INSECURE", "true"));

        assertThat(config.restApi().verifyClient()).isEqualTo(VerifyClient.OPTIONAL);
        assertThat(config.restClient().insecure()).isTrue();
    }

    @Test
    void inconsistentTlsKeysAreConfigurationErrorsThatNameTheKey() {
        assertThatThrownBy(() -> ConfigLoader.parse(file("  certfile: /c.crt\n  verify_client: required\n", ""), "t.yml", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("restapi.verify_client: required needs restapi.cafile");
        assertThatThrownBy(() -> ConfigLoader.parse(file("  cafile: /ca.crt\n", ""), "t.yml", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("restapi.cafile: set restapi.certfile too");
        assertThatThrownBy(() -> ConfigLoader.parse(file("  certfile: /c.crt\n  cafile: /ca.crt\n  verify_client: sometimes\n", ""), "t.yml",
                Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("must be none, optional or required");
        assertThatThrownBy(() -> ConfigLoader.parse(file("  certfile: relative.crt\n", ""), "t.yml", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("restapi.certfile");
    }

    @Test
    void patronisEtcd3TlsKeysMakeTheEndpointsHttps() {
        SpiloConfig config = ConfigLoader.parse(MinimalConfig.withLines("etcd3", """
                  cacert: /etc/spilo/ca.crt
                  cert: /etc/spilo/etcd-client.crt
                  key: /etc/spilo/etcd-client.key
                  username: spilo
                  password: etcd-hush
                """), "t.yml", Map.of());

        EtcdConfig etcd = config.etcd();
        assertThat(etcd.endpoints()).as("TLS files without a protocol mean https").containsExactly("https://127.0.0.1:2379");
        assertThat(etcd.tls()).isEqualTo(new TlsSettings(Optional.of(Path.of("/etc/spilo/etcd-client.crt")),
                Optional.of(Path.of("/etc/spilo/etcd-client.key")), Optional.empty(), Optional.of(Path.of("/etc/spilo/ca.crt")), false));
        assertThat(etcd.authentication().orElseThrow().username()).isEqualTo("spilo");
        assertThat(etcd.toString()).doesNotContain("etcd-hush");
        assertThat(config.unsupportedKeys()).isEmpty();
    }

    @Test
    void etcd3TlsFilesWithPlainHttpOrAKeyWithoutACertificateAreRefused() {
        assertThatThrownBy(() -> ConfigLoader.parse(MinimalConfig.withLines("etcd3", "  protocol: http\n  cacert: /etc/spilo/ca.crt\n"),
                "t.yml", Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("etcd3.protocol: https");
        assertThatThrownBy(() -> ConfigLoader.parse(MinimalConfig.withLines("etcd3", "  key: /etc/spilo/etcd-client.key\n"),
                "t.yml", Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("etcd3.cert");
    }
}
