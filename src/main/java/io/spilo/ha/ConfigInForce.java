package io.spilo.ha;

import io.spilo.dcs.LastConfigStore;
import io.spilo.config.SpiloConfig;
import io.spilo.config.TimingSettings;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.DynamicConfig;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster configuration the agent runs by (DESIGN §9): the last {@code config} read from etcd,
 * kept in memory and in a {@link LastConfigStore}, also while etcd does not answer; {@code
 * bootstrap.dcs} only while no cluster config is known. A config whose values cannot be used (not a
 * number, or breaking {@code loop_wait + 2 * retry_timeout <= ttl}) keeps the last good settings;
 * the problem is logged once per change of the key and published. Confined to the loop thread.
 */
final class ConfigInForce {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigInForce.class);

    private final SpiloConfig config;
    private final LastConfigStore store;
    private Optional<DynamicConfig> lastRead;
    private Optional<HaSettings> lastGood = Optional.empty();
    private Optional<String> problem = Optional.empty();
    private long loggedRevision = -1;

    ConfigInForce(SpiloConfig config, LastConfigStore store) {
        this.config = config;
        this.store = store;
        this.lastRead = store.load();
        lastRead.ifPresent(kept -> LOG.info("starting with the cluster configuration kept from the last run"));
    }

    /** What etcd said this cycle. A cluster without a config key is new: bootstrap.dcs applies. */
    void observed(ClusterView view) {
        if (!view.configPresent()) {
            lastRead = Optional.empty();
            return;
        }
        DynamicConfig read = view.config();
        if (lastRead.map(kept -> !kept.sameContent(read)).orElse(true)) {
            store.save(read);
        }
        lastRead = Optional.of(read);
    }

    DynamicConfig dynamic() {
        return lastRead.orElseGet(() -> DynamicConfig.ofBootstrap(config.bootstrap()));
    }

    /** Why the cluster config is not used as it stands, if it is not. */
    Optional<String> problem() {
        return problem;
    }

    HaSettings settings() {
        DynamicConfig dynamic = dynamic();
        try {
            HaSettings settings = settingsOf(dynamic);
            lastGood = Optional.of(settings);
            problem = Optional.empty();
            return settings;
        } catch (RuntimeException e) {
            problem = Optional.of(e.getMessage());
            if (dynamic.modRevision() != loggedRevision) {
                loggedRevision = dynamic.modRevision();
                LOG.error("{}; keeping the last good configuration until it is fixed (spilo edit-config)", e.getMessage());
            }
            return lastGood.orElseGet(() -> defaults(dynamic));
        }
    }

    private HaSettings settingsOf(DynamicConfig dynamic) {
        TimingSettings timing = dynamic.timing().validated("config.");
        return new HaSettings(config.name(), timing, dynamic.maximumLagOnFailover(), config.tags().noFailover(),
                config.tags().failoverPriority(), dynamic.paused(), dynamic.primaryStartTimeoutSeconds(),
                config.postgres().removeDataDirectoryOnRewindFailure(),
                dynamic.synchronousMode() ? new HaSettings.Synchronous(true, dynamic.synchronousModeStrict(),
                        dynamic.synchronousNodeCount(), dynamic.maximumLagOnSyncnode()) : HaSettings.Synchronous.OFF,
                dynamic.useSlots(),
                dynamic.writeProbeTimeoutSeconds().orElse(timing.ttlSeconds() - timing.loopWaitSeconds()),
                dynamic.failsafeMode());
    }

    /** Before any good config: the file's bootstrap timing when it is valid, Spilo's defaults otherwise. */
    private HaSettings defaults(DynamicConfig broken) {
        DynamicConfig bootstrap = DynamicConfig.ofBootstrap(config.bootstrap());
        try {
            return settingsOf(bootstrap);
        } catch (RuntimeException e) {
            return new HaSettings(config.name(), TimingSettings.SPILO_DEFAULTS, DynamicConfig.DEFAULT_MAXIMUM_LAG_ON_FAILOVER,
                    config.tags().noFailover(), config.tags().failoverPriority(), false, 300,
                    config.postgres().removeDataDirectoryOnRewindFailure(), HaSettings.Synchronous.OFF, true,
                    TimingSettings.SPILO_DEFAULTS.ttlSeconds() - TimingSettings.SPILO_DEFAULTS.loopWaitSeconds(), false);
        }
    }
}
