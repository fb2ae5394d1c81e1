package io.spilo.cli;

import io.spilo.config.ConfigException;
import io.spilo.config.ConfigLoader;
import io.spilo.config.SpiloConfig;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.DcsException;
import io.spilo.dcs.etcd.EtcdDcs;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code -c FILE}: the same YAML file the agent reads, for commands that need the cluster's coordinates. */
final class ConfigFileOptions {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "Spilo/Patroni YAML configuration (etcd3 store)")
    Path configFile;

    /** Loads the file; a bad file is a {@link CommandFailure} with exit code 2. */
    SpiloConfig load() {
        try {
            return ConfigLoader.load(configFile, System.getenv());
        } catch (ConfigException e) {
            throw new CommandFailure(ExitCodes.USAGE, "configuration error: " + e.getMessage());
        }
    }

    /** A read-only connection to the cluster's etcd, checked with one read. */
    static EtcdDcs connect(SpiloConfig config, String clientName) {
        EtcdDcs dcs;
        try {
            dcs = new EtcdDcs(config.etcd(), config.clusterPrefix(), clientName, Duration.ofSeconds(3));
        } catch (io.spilo.tls.TlsException e) {
            throw new CommandFailure(ExitCodes.USAGE, "configuration error: etcd3 TLS files (cacert, cert, key): " + e.getMessage());
        }
        try {
            dcs.read();
            return dcs;
        } catch (DcsException e) {
            dcs.close();
            throw new CommandFailure(ExitCodes.FAILURE, EtcdMessages.describe(e));
        }
    }

    static ClusterView read(EtcdDcs dcs) {
        try {
            return dcs.read();
        } catch (DcsException e) {
            throw new CommandFailure(ExitCodes.FAILURE, e.getMessage());
        }
    }
}
