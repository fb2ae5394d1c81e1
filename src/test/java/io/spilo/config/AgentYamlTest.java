package io.spilo.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the demo and the test clusters write is what the agent reads. */
class AgentYamlTest {
    @Test
    void aRenderedFileLoadsWithEveryValueItWasGiven() {
        String yaml = AgentYaml.member("demo", "node1")
                .restApi("127.0.0.1:8008")
                .etcdHosts("127.0.0.1:2379,127.0.0.1:2381")
                .timing(new TimingSettings(10, 2, 3))
                .dcs("synchronous_mode", true)
                .initdb(Map.of("encoding", "UTF8"), "data-checksums")
                .postgres("127.0.0.1:5432", "/srv/data/node1", "s3cret: with colon", "repl'quote")
                .postgresSetting("remove_data_directory_on_rewind_failure", true)
                .merge("tags:\n  nofailover: true\npostgresql:\n  bin_dir: /opt/pg/bin\n")
                .render();

        SpiloConfig config = ConfigLoader.parse(yaml, "rendered.yml", Map.of());

        assertThat(config.name()).isEqualTo("node1");
        assertThat(config.postgres().dataDirectory()).isEqualTo(Path.of("/srv/data/node1"));
        assertThat(config.postgres().binDirectory()).isEqualTo(Path.of("/opt/pg/bin"));
        assertThat(config.postgres().superuser().password()).isEqualTo("s3cret: with colon");
        assertThat(config.postgres().replication().password()).isEqualTo("repl'quote");
        assertThat(config.postgres().removeDataDirectoryOnRewindFailure()).isTrue();
        assertThat(config.tags().noFailover()).isTrue();
        assertThat(config.bootstrap().dcs().path("loop_wait").asInt()).isEqualTo(2);
        assertThat(config.bootstrap().dcs().path("synchronous_mode").asBoolean()).isTrue();
        assertThat(config.etcd().endpoints()).hasSize(2);
    }

    @Test
    void aFragmentThatIsNotAMappingIsRefusedWithTheReason() {
        assertThatThrownBy(() -> AgentYaml.member("demo", "node1").merge("- just\n- a list\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not a mapping");
    }
}
