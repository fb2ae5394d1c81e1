package io.spilo.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * {@code bootstrap:} — used once, by the member that initializes a new cluster: the dynamic
 * configuration it writes to the {@code config} key, and the options for initdb, or the custom
 * method (a restore from a backup) that replaces initdb.
 */
public record BootstrapConfig(ObjectNode dcs, List<String> initdbOptions, java.util.Optional<BootstrapMethod> method) {
    public BootstrapConfig(ObjectNode dcs, List<String> initdbOptions) {
        this(dcs, initdbOptions, java.util.Optional.empty());
    }

    public BootstrapConfig {
        dcs = dcs.deepCopy();
        initdbOptions = List.copyOf(initdbOptions);
    }

    @Override
    public ObjectNode dcs() {
        return dcs.deepCopy();
    }
}
