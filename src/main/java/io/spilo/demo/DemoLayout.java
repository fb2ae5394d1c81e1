package io.spilo.demo;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Everything a demo run needs to find again: ports, pids (with start times, since pids are
 * reused), directories and connection strings. Written to {@code demo.json} in the demo directory.
 */
public record DemoLayout(
        @JsonProperty("scope") String scope,
        @JsonProperty("directory") String directory,
        @JsonProperty("etcd") List<EtcdMember> etcd,
        @JsonProperty("nodes") List<Node> nodes,
        @JsonProperty("haproxy") Haproxy haproxy,
        @JsonProperty("connect") Connect connect,
        @JsonProperty("tls") DemoTls tls) {

    /** With {@code --tls}: the CA and the operator's certificate; null for a plain demo (and in files of older versions). */
    public java.util.Optional<DemoTls> tlsFiles() {
        return java.util.Optional.ofNullable(tls);
    }

    DemoLayout with(List<EtcdMember> newEtcd, List<Node> newNodes, Haproxy newHaproxy) {
        return new DemoLayout(scope, directory, newEtcd, newNodes, newHaproxy, connect, tls);
    }

    public record EtcdMember(
            @JsonProperty("name") String name,
            @JsonProperty("client_port") int clientPort,
            @JsonProperty("peer_port") int peerPort,
            @JsonProperty("data_dir") String dataDirectory,
            @JsonProperty("pid") long pid,
            @JsonProperty("started_at") long startedAtEpochMillis) {
        EtcdMember withProcess(long newPid, long startedAt) {
            return new EtcdMember(name, clientPort, peerPort, dataDirectory, newPid, startedAt);
        }
    }

    public record Node(
            @JsonProperty("name") String name,
            @JsonProperty("postgres_port") int postgresPort,
            @JsonProperty("api_port") int apiPort,
            @JsonProperty("config") String configFile,
            @JsonProperty("data_dir") String dataDirectory,
            @JsonProperty("log") String log,
            @JsonProperty("rest_url") String restUrl,
            @JsonProperty("agent_pid") long agentPid,
            @JsonProperty("agent_started_at") long agentStartedAtEpochMillis) {
        Node withProcess(long newPid, long startedAt) {
            return new Node(name, postgresPort, apiPort, configFile, dataDirectory, log, restUrl, newPid, startedAt);
        }
    }

    public record Haproxy(
            @JsonProperty("primary_port") int primaryPort,
            @JsonProperty("replica_port") int replicaPort,
            @JsonProperty("stats_port") int statsPort,
            @JsonProperty("stats_url") String statsUrl,
            @JsonProperty("state_dir") String stateDirectory,
            @JsonProperty("pid") long pid,
            @JsonProperty("started_at") long startedAtEpochMillis) {
        Haproxy withProcess(long newPid, long startedAt) {
            return new Haproxy(primaryPort, replicaPort, statsPort, statsUrl, stateDirectory, newPid, startedAt);
        }
    }

    /**
     * How to connect: psql commands, and libpq URIs any driver reads as they are
     * ({@code postgresql://postgres@127.0.0.1:5000/postgres?passfile=...}).
     */
    public record Connect(
            @JsonProperty("primary") String primary,
            @JsonProperty("replicas") String replicas,
            @JsonProperty("pgpass") String passfile,
            @JsonProperty("primary_uri") String primaryUri,
            @JsonProperty("replicas_uri") String replicasUri) {
    }
}
