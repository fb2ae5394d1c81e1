package io.spilo.dcs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last cluster configuration read from etcd, in a JSON file beside the data directory
 * ({@code <data_dir>.config.json}): read once at start, rewritten (atomically) when the config changes.
 */
public final class DynamicConfigFile implements LastConfigStore {
    private static final Logger LOG = LoggerFactory.getLogger(DynamicConfigFile.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;

    public DynamicConfigFile(Path file) {
        this.file = file;
    }

    /** Where an agent with this data directory keeps it. */
    public static DynamicConfigFile besideDataDirectory(Path dataDirectory) {
        return new DynamicConfigFile(dataDirectory.resolveSibling(dataDirectory.getFileName() + ".config.json"));
    }

    @Override
    public Optional<DynamicConfig> load() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            JsonNode json = JSON.readTree(file.toFile());
            if (json instanceof ObjectNode object) {
                return Optional.of(new DynamicConfig(object, 0));
            }
            LOG.warn("{} does not hold a JSON object; ignored", file);
        } catch (IOException e) {
            LOG.warn("cannot read the kept cluster configuration {}: {}; ignored", file, e.getMessage());
        }
        return Optional.empty();
    }

    @Override
    public void save(DynamicConfig config) {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            JSON.writeValue(temporary.toFile(), config.json());
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("cannot keep the cluster configuration in {}: {} (an agent restarted during an etcd outage"
                    + " would start from bootstrap.dcs)", file, e.getMessage());
        }
    }
}
