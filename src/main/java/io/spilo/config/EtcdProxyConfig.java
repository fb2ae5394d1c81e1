package io.spilo.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code etcd_proxy:} — the node appliance's local etcd gRPC proxy ({@code etcd grpc-proxy}, run
 * by {@code spilo-etcd-proxy.service}) in front of the separate etcd cluster: the agent and
 * {@code spilo haproxy} talk to the proxy on this machine ({@code etcd3.hosts} names it), the
 * proxy to the cluster.
 *
 * @param endpoints the etcd cluster's client endpoints ({@code host:port} or URLs)
 * @param listen where the proxy listens (127.0.0.1:2379)
 * @param dataDirectory the proxy's own directory
 * @param cacert, cert, key TLS towards the etcd cluster, as etcd's flags take them
 */
public record EtcdProxyConfig(List<String> endpoints, HostPort listen, Path dataDirectory, Optional<Path> cacert,
        Optional<Path> cert, Optional<Path> key) {
    public EtcdProxyConfig {
        endpoints = List.copyOf(endpoints);
    }

    static Optional<EtcdProxyConfig> from(JsonNode section) {
        if (section == null || section.isMissingNode() || section.isNull()) {
            return Optional.empty();
        }
        if (!section.isObject()) {
            throw new ConfigException("etcd_proxy: must be a mapping (endpoints: host:port,..., listen: 127.0.0.1:2379)");
        }
        List<String> endpoints = new ArrayList<>();
        JsonNode endpointsNode = section.path("endpoints");
        if (endpointsNode.isArray()) {
            endpointsNode.forEach(endpoint -> endpoints.add(endpoint.asText().strip()));
        } else if (endpointsNode.isTextual()) {
            for (String part : endpointsNode.asText().split(",")) {
                if (!part.isBlank()) {
                    endpoints.add(part.strip());
                }
            }
        }
        if (endpoints.isEmpty()) {
            throw new ConfigException("etcd_proxy.endpoints: missing (the etcd cluster: host:port[,host:port])");
        }
        for (String endpoint : endpoints) {
            if (!endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
                HostPort.parse(endpoint, "etcd_proxy.endpoints");
            }
        }
        JsonNode listenNode = section.path("listen");
        HostPort listen = HostPort.parse(listenNode.isMissingNode() || listenNode.isNull() ? "127.0.0.1:2379" : listenNode.asText(),
                "etcd_proxy.listen");
        return Optional.of(new EtcdProxyConfig(endpoints, listen,
                path(section, "data_dir").orElse(Path.of("/var/lib/spilo/etcd-proxy")),
                path(section, "cacert"), path(section, "cert"), path(section, "key")));
    }

    private static Optional<Path> path(JsonNode section, String key) {
        JsonNode node = section.path(key);
        if (node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        Path path = Path.of(node.asText());
        if (!path.isAbsolute()) {
            throw new ConfigException("etcd_proxy." + key + ": '" + node.asText() + "' must be an absolute path");
        }
        return Optional.of(path);
    }

    /**
     * The arguments of {@code etcd grpc-proxy start}, one per word (none holds a space): the
     * cluster's endpoints, the local listen address (also what the proxy advertises), its directory.
     */
    public List<String> grpcProxyArguments() {
        List<String> arguments = new ArrayList<>(List.of("--endpoints=" + String.join(",", endpoints),
                "--listen-addr=" + listen, "--advertise-client-url=" + listen, "--data-dir=" + dataDirectory));
        cacert.ifPresent(file -> arguments.add("--cacert=" + file));
        cert.ifPresent(file -> arguments.add("--cert=" + file));
        key.ifPresent(file -> arguments.add("--key=" + file));
        return arguments;
    }
}
