package io.spilo.dcs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DynamicConfigFileTest {
    @TempDir
    Path directory;

    @Test
    void whatWasSavedBesideTheDataDirectoryIsLoadedByTheNextAgent() {
        DynamicConfigFile file = DynamicConfigFile.besideDataDirectory(directory.resolve("data"));
        DynamicConfig config = new DynamicConfig(JsonNodeFactory.instance.objectNode().put("ttl", 10).put("loop_wait", 2), 7);

        file.save(config);

        assertThat(Files.exists(directory.resolve("data.config.json"))).isTrue();
        assertThat(DynamicConfigFile.besideDataDirectory(directory.resolve("data")).load())
                .hasValueSatisfying(loaded -> assertThat(loaded.sameContent(config)).isTrue());
    }

    @Test
    void aMissingOrDamagedFileIsNoConfigAtAll() throws IOException {
        DynamicConfigFile file = new DynamicConfigFile(directory.resolve("kept.json"));
        assertThat(file.load()).isEmpty();

        Files.writeString(directory.resolve("kept.json"), "{\"ttl\": 10,");
        assertThat(file.load()).isEmpty();
    }
}
