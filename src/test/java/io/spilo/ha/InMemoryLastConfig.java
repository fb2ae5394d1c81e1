package io.spilo.ha;

import io.spilo.dcs.LastConfigStore;
import io.spilo.dcs.DynamicConfig;
import java.util.Optional;

/** The harness's {@link LastConfigStore}: what a member would have kept in its file, in memory. */
public final class InMemoryLastConfig implements LastConfigStore {
    private volatile Optional<DynamicConfig> kept = Optional.empty();
    private volatile int saves;

    @Override
    public Optional<DynamicConfig> load() {
        return kept;
    }

    @Override
    public void save(DynamicConfig config) {
        kept = Optional.of(config);
        saves++;
    }

    public int saves() {
        return saves;
    }
}
