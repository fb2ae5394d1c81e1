package io.spilo.cli;

import io.spilo.config.EtcdProxyConfig;
import io.spilo.config.HostPort;
import io.spilo.config.SpiloConfig;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "node-config", description = {"Check that one spilo.yml drives a node's three services consistently and show what"
        + " each runs: the local etcd gRPC proxy, the agent, HAProxy.",
        "--etcd-proxy-args prints only the arguments of 'etcd grpc-proxy start' (spilo-etcd-proxy.service uses it)."})
final class NodeConfigCommand implements Callable<Integer> {
    @Mixin
    ConfigFileOptions file;

    @Option(names = "--etcd-proxy-args", description = "print the arguments of 'etcd grpc-proxy start', one line")
    boolean etcdProxyArguments;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        SpiloConfig config = file.load();
        EtcdProxyConfig proxy = config.etcdProxy().orElseThrow(() -> new CommandFailure(ExitCodes.USAGE, file.configFile
                + " has no etcd_proxy section: the node's local etcd proxy needs the etcd cluster's endpoints"
                + " (etcd_proxy: {endpoints: host:port,..., listen: 127.0.0.1:2379})"));
        if (!namesTheProxy(config, proxy.listen())) {
            throw new CommandFailure(ExitCodes.USAGE, "etcd3.hosts (" + String.join(",", config.etcd().endpoints())
                    + ") does not name the local proxy at etcd_proxy.listen " + proxy.listen() + ": the agent and HAProxy would"
                    + " bypass it; set etcd3.hosts: " + proxy.listen());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (etcdProxyArguments) {
            out.println(String.join(" ", proxy.grpcProxyArguments()));
            out.flush();
            return ExitCodes.OK;
        }
        out.println("spilo-etcd-proxy.service: etcd grpc-proxy start " + String.join(" ", proxy.grpcProxyArguments()));
        out.println("spilo.service:            spilo agent -c " + file.configFile + "  (member " + config.name() + " of " + config.scope()
                + "; etcd through " + proxy.listen() + "; REST API " + config.restApi().listen() + "; PostgreSQL "
                + config.postgres().listen() + ", data " + config.postgres().dataDirectory() + ")");
        out.println("spilo-haproxy.service:    spilo haproxy -c " + file.configFile + "  (read-write " + config.haproxy().bind() + ":"
                + config.haproxy().primaryPort() + ", read-only " + config.haproxy().bind() + ":" + config.haproxy().replicaPort()
                + ", stats " + config.haproxy().statsPort() + ", state " + config.haproxy().stateDirectory() + ")");
        out.flush();
        return ExitCodes.OK;
    }

    /** Every etcd endpoint of the agent is the proxy's address (loopback spellings count as one). */
    private static boolean namesTheProxy(SpiloConfig config, HostPort listen) {
        return config.etcd().endpoints().stream().allMatch(endpoint -> {
            String hostPort = endpoint.replaceFirst("^https?://", "");
            HostPort parsed = HostPort.parse(hostPort, "etcd3.hosts");
            return parsed.port() == listen.port() && (parsed.host().equals(listen.host())
                    || (loopback(parsed.host()) && loopback(listen.host())));
        });
    }

    private static boolean loopback(String host) {
        return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1");
    }
}
