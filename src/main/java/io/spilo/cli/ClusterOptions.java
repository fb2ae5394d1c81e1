package io.spilo.cli;

import io.spilo.config.ConfigException;
import io.spilo.config.ConfigLoader;
import io.spilo.config.Credentials;
import io.spilo.config.EtcdConfig;
import io.spilo.config.SpiloConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/** How an operator command finds the cluster: {@code -c FILE}, or {@code --dcs etcd3://host:port} and a cluster name. */
final class ClusterOptions {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "the agent's YAML configuration")
    Path configFile;

    @Option(names = "--dcs", paramLabel = "URL", description = "etcd3://host:port[,host:port] instead of -c")
    String dcsUrl;

    @Option(names = "--namespace", paramLabel = "NS", description = "etcd namespace with --dcs (default /service/)")
    String namespace = "/service/";

    /**
     * Where the cluster lives in etcd, the REST credentials for actions if the configuration has them,
     * and with {@code -c FILE} the REST API of that file's member (asked for its last view when etcd cannot be read).
     */
    record Target(String scope, String prefix, EtcdConfig etcd, Optional<Credentials> restAuthentication, Optional<URI> localApi,
            io.spilo.config.TlsSettings restClient) {
    }

    Target resolve(Optional<String> clusterName) {
        if (configFile != null) {
            SpiloConfig config;
            try {
                config = ConfigLoader.load(configFile, System.getenv());
            } catch (ConfigException e) {
                throw new CommandFailure(ExitCodes.USAGE, "configuration error: " + e.getMessage());
            }
            if (clusterName.isPresent() && !clusterName.get().equals(config.scope())) {
                throw new CommandFailure(ExitCodes.USAGE, "cluster '" + clusterName.get() + "' does not match scope '"
                        + config.scope() + "' of " + configFile);
            }
            return new Target(config.scope(), config.clusterPrefix(), config.etcd(), config.restApi().authentication(),
                    Optional.of(URI.create(config.restApi().apiUrl()).resolve("/")), config.restClient());
        }
        if (dcsUrl == null) {
            throw new CommandFailure(ExitCodes.USAGE, "say where the cluster is: -c FILE, or --dcs etcd3://host:port and the cluster name");
        }
        String scope = clusterName.orElseThrow(() -> new CommandFailure(ExitCodes.USAGE,
                "with --dcs, name the cluster (its scope) as an argument"));
        URI uri;
        try {
            uri = URI.create(dcsUrl);
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(ExitCodes.USAGE, "--dcs " + dcsUrl + ": not a URL like etcd3://host:port");
        }
        if (!"etcd3".equals(uri.getScheme()) || uri.getAuthority() == null) {
            throw new CommandFailure(ExitCodes.USAGE, "--dcs " + dcsUrl + ": only etcd3://host:port[,host:port] is supported");
        }
        List<String> endpoints = new ArrayList<>();
        for (String host : uri.getAuthority().split(",")) {
            endpoints.add("http://" + host.strip());
        }
        String ns = namespace.startsWith("/") ? namespace : "/" + namespace;
        ns = ns.endsWith("/") ? ns : ns + "/";
        Optional<Credentials> rest = Optional.ofNullable(System.getenv("SPILO_RESTAPI_USERNAME"))
                .map(user -> new Credentials(user, Optional.ofNullable(System.getenv("SPILO_RESTAPI_PASSWORD")).orElse("")));
        return new Target(scope, ns + scope + "/", new EtcdConfig(endpoints, Optional.empty()), rest, Optional.empty(),
                io.spilo.config.TlsSettings.NONE);
    }
}
