package io.spilo.dcs.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.Client;
import io.spilo.config.EtcdConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class EtcdClientsTest {
    /** What a client leaves in the temporary directory stays there when the agent is killed (SIGKILL runs no cleanup). */
    @Test
    void aClientCreatesNothingInTheTemporaryDirectory() throws IOException {
        Set<Path> before = vertxCaches();
        Client client = EtcdClients.create(new EtcdConfig(List.of("http://127.0.0.1:1"), Optional.empty()), Duration.ofSeconds(1));
        try {
            // The first call makes jetcd start its Vert.x and channel; it fails, nobody listens there.
            client.getKVClient().get(io.etcd.jetcd.ByteSequence.from("x", java.nio.charset.StandardCharsets.UTF_8));
            assertThat(vertxCaches()).isEqualTo(before);
        } finally {
            client.close();
        }
    }

    private static Set<Path> vertxCaches() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(path -> path.getFileName().toString().startsWith("vertx-cache-")).collect(Collectors.toSet());
        }
    }
}
